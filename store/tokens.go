package store

import (
	"context"
	"strings"
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
	err := db.Transaction(ctx, func(tx *gorm.DB) error {
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

// RecordTokenUses writes the last use of each token, a few hundred tokens per statement;
// older uses never overwrite newer ones.
func (db *DB) RecordTokenUses(ctx context.Context, uses []models.TokenUse) error {
	uses = latestUses(uses)
	const chunk = 300 // 3 parameters each, under SQLite's and PostgreSQL's limits
	for start := 0; start < len(uses); start += chunk {
		part := uses[start:min(start+chunk, len(uses))]
		if err := db.gorm.WithContext(ctx).Exec(db.tokenUsesSQL(len(part)), tokenUseArgs(part)...).Error; err != nil {
			return mapError(err, "token uses")
		}
	}
	return nil
}

// tokenUsesSQL is one UPDATE … FROM (VALUES …) for n uses. An empty cluster keeps the
// last cluster recorded.
func (db *DB) tokenUsesSQL(n int) string {
	var b strings.Builder
	b.WriteString("UPDATE tokens SET last_used_at = v.at, last_used_cluster = COALESCE(NULLIF(v.cluster, ''), tokens.last_used_cluster) FROM (")
	if db.dialect == Postgres {
		b.WriteString("VALUES ")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(CAST(? AS text), CAST(? AS timestamptz), CAST(? AS text))")
		}
		b.WriteString(") AS v(id, at, cluster)")
	} else {
		b.WriteString("SELECT column1 AS id, column2 AS at, column3 AS cluster FROM (VALUES ")
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?)")
		}
		b.WriteString(")) AS v")
	}
	b.WriteString(" WHERE tokens.id = v.id AND (tokens.last_used_at IS NULL OR tokens.last_used_at < v.at)")
	return b.String()
}

// latestUses keeps the newest use of each token: one statement must not name a row twice.
func latestUses(uses []models.TokenUse) []models.TokenUse {
	latest := make(map[string]int, len(uses))
	out := make([]models.TokenUse, 0, len(uses))
	for _, u := range uses {
		if i, ok := latest[u.TokenID]; ok {
			if u.At.After(out[i].At) {
				if u.Cluster == "" {
					u.Cluster = out[i].Cluster
				}
				out[i] = u
			}
			continue
		}
		latest[u.TokenID] = len(out)
		out = append(out, u)
	}
	return out
}

func tokenUseArgs(uses []models.TokenUse) []any {
	args := make([]any, 0, 3*len(uses))
	for _, u := range uses {
		args = append(args, u.TokenID, u.At.UTC(), u.Cluster)
	}
	return args
}

// DeleteExpiredTokens removes tokens that expired before cutoff and returns how many.
func (db *DB) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Where("expires_at < ?", cutoff).Delete(&models.Token{})
	return res.RowsAffected, mapError(res.Error, "expired tokens")
}
