package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"kaas/models"
)

// tokenChangeLockID serializes the writers of the token change log on PostgreSQL, so that
// change numbers are committed in increasing order and a reader that has seen change n
// has seen every change before it.
const tokenChangeLockID = 0x6b616174 // "kaat"

// tokenChange is a row of the token change log (migration 6).
type tokenChange struct {
	Seq       int64 `gorm:"primaryKey;autoIncrement"`
	TokenID   string
	TokenHash []byte
	Deleted   bool
	At        time.Time
}

func (tokenChange) TableName() string { return "token_changes" }

// logTokenChange appends a change to the log inside the transaction that makes it.
func (db *DB) logTokenChange(tx *gorm.DB, t *models.Token, deleted bool) error {
	if db.dialect == Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", tokenChangeLockID).Error; err != nil {
			return err
		}
	}
	return tx.Create(&tokenChange{TokenID: t.ID, TokenHash: t.Hash, Deleted: deleted, At: time.Now().UTC()}).Error
}

// LiveTokens calls fn with every token that has not expired at now and returns the
// change number they are current as of: catching up from it (TokenChanges) misses
// nothing. The number is read before the tokens, so a change made meanwhile is both
// seen and replayed, which is harmless.
func (db *DB) LiveTokens(ctx context.Context, now time.Time, fn func(models.TokenKey)) (int64, error) {
	var seq int64
	if err := db.gorm.WithContext(ctx).Model(&tokenChange{}).Select("COALESCE(MAX(seq), 0)").Scan(&seq).Error; err != nil {
		return 0, mapError(err, "token changes")
	}
	rows, err := db.gorm.WithContext(ctx).Model(&models.Token{}).Select("id, user_id, hash, expires_at").
		Where("expires_at > ?", now.UTC()).Rows()
	if err != nil {
		return 0, mapError(err, "live tokens")
	}
	defer rows.Close()
	for rows.Next() {
		var k models.TokenKey
		if err := rows.Scan(&k.ID, &k.UserID, &k.Hash, &k.ExpiresAt); err != nil {
			return 0, mapError(err, "live tokens")
		}
		fn(k)
	}
	if err := rows.Err(); err != nil {
		return 0, mapError(err, "live tokens")
	}
	return seq, nil
}

// TokenChanges returns at most limit changes numbered after seq, in order; a creation
// carries the token when it still exists. It is CONFLICT when change seq (other than 0)
// was pruned from the log: the caller missed changes and must reload every token.
func (db *DB) TokenChanges(ctx context.Context, after int64, limit int) ([]models.TokenChange, error) {
	var out []models.TokenChange
	// Two statements, not a transaction: SQLite's transactions here take the write lock.
	err := func(tx *gorm.DB) error {
		if after > 0 {
			var n int64
			if err := tx.Model(&tokenChange{}).Where("seq = ?", after).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Errorf(models.CodeConflict, "token change %d was pruned", after)
			}
		}
		rows, err := tx.Table("token_changes AS c").
			Select("c.seq, c.token_id, c.token_hash, c.deleted, t.user_id, t.expires_at").
			Joins("LEFT JOIN tokens t ON t.id = c.token_id").
			Where("c.seq > ?", after).Order("c.seq").Limit(limit).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c       models.TokenChange
				userID  *string
				expires *time.Time
			)
			if err := rows.Scan(&c.Seq, &c.Token.ID, &c.Token.Hash, &c.Deleted, &userID, &expires); err != nil {
				return err
			}
			if userID != nil && expires != nil {
				c.Token.UserID, c.Token.ExpiresAt, c.Exists = *userID, *expires, true
			}
			out = append(out, c)
		}
		return rows.Err()
	}(db.gorm.WithContext(ctx))
	return out, mapError(err, "token changes")
}

// pruneTokenChanges deletes changes made before cutoff, always keeping the newest, so
// that a replica current as of it still finds it.
func (db *DB) pruneTokenChanges(ctx context.Context, cutoff time.Time) (int64, error) {
	res := db.gorm.WithContext(ctx).Exec("DELETE FROM token_changes WHERE at < ? AND seq < (SELECT MAX(seq) FROM token_changes)", cutoff.UTC())
	return res.RowsAffected, res.Error
}

// CreateTokens stores many tokens at once (imports, load tests), with their changes
// logged and other replicas told, in one transaction.
func (db *DB) CreateTokens(ctx context.Context, ts []models.Token) error {
	const batch = 1000 // 10 columns: well under SQLite's and PostgreSQL's parameter limits
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(ts, batch).Error; err != nil {
			return err
		}
		if db.dialect == Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", tokenChangeLockID).Error; err != nil {
				return err
			}
		}
		now := time.Now().UTC()
		changes := make([]tokenChange, len(ts))
		for i, t := range ts {
			changes[i] = tokenChange{TokenID: t.ID, TokenHash: t.Hash, At: now}
		}
		if err := tx.CreateInBatches(changes, batch).Error; err != nil {
			return err
		}
		if db.dialect == Postgres {
			return tx.Exec(notifyCreatedSQL()).Error
		}
		return nil
	})
	return mapError(err, "tokens")
}
