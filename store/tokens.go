package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"kaas/models"
)

// CreateToken stores a new token.
func (db *DB) CreateToken(ctx context.Context, t *models.Token) error {
	return mapError(db.gorm.WithContext(ctx).Create(t).Error, "token")
}

// TokenByHash returns the token whose secret hashes to hash.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (*models.Token, error) {
	var t models.Token
	err := db.gorm.WithContext(ctx).Where("hash = ?", hash).Take(&t).Error
	if err != nil {
		return nil, mapError(err, "token")
	}
	return &t, nil
}

// Tokens returns a user's tokens, newest first.
func (db *DB) Tokens(ctx context.Context, userID string) ([]models.Token, error) {
	var ts []models.Token
	err := db.gorm.WithContext(ctx).Where("user_id = ?", userID).Order("created_at DESC, id").Find(&ts).Error
	return ts, mapError(err, "tokens")
}

// DeleteToken deletes a user's token and returns it. A token of another user is
// NOT_FOUND, so callers cannot probe for IDs.
func (db *DB) DeleteToken(ctx context.Context, userID, id string) (*models.Token, error) {
	var t models.Token
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND user_id = ?", id, userID).Take(&t).Error; err != nil {
			return err
		}
		if err := tx.Delete(&models.Token{}, "id = ?", id).Error; err != nil {
			return err
		}
		if db.dialect == Postgres {
			return tx.Exec(notifyRevokedSQL(), id).Error
		}
		return nil
	})
	if err != nil {
		return nil, mapError(err, "token")
	}
	return &t, nil
}

// RecordTokenUses writes the last use of each token; older uses never overwrite newer ones.
func (db *DB) RecordTokenUses(ctx context.Context, uses []models.TokenUse) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, u := range uses {
			updates := map[string]any{"last_used_at": u.At}
			if u.Cluster != "" {
				updates["last_used_cluster"] = u.Cluster
			}
			err := tx.Model(&models.Token{}).
				Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", u.TokenID, u.At).
				Updates(updates).Error
			if err != nil {
				return mapError(err, "token use")
			}
		}
		return nil
	})
}

// DeleteExpiredTokens removes tokens that expired before cutoff and returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at < ?", cutoff).Delete(&models.Token{})
	return res.RowsAffected, mapError(res.Error, "expired tokens")
}
