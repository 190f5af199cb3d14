package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"kaas/models"
)

// CreateToken stores a new token.
func (db *DB) CreateToken(ctx context.Context, t *models.Token) error {
	return db.CreateTokenCapped(ctx, t, 0)
}

// CreateTokenCapped stores a new token unless its owner already has maxPerUser tokens
// (0: no limit), which is CONFLICT. Count and insert are one serialized step: SQLite
// transactions take the write lock at BEGIN, and on PostgreSQL a transaction lock on the
// owner serializes that owner's creations. Other replicas are told that a token exists,
// so that none of them goes on remembering its hash as unknown.
func (db *DB) CreateTokenCapped(ctx context.Context, t *models.Token, maxPerUser int) error {
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if maxPerUser > 0 {
			if db.dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':tokens:' || ?, 0))", t.UserID).Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Model(&models.Token{}).Where("user_id = ?", t.UserID).Count(&n).Error; err != nil {
				return err
			}
			if n >= int64(maxPerUser) {
				return models.Errorf(models.CodeConflict,
					"you already have %d tokens, the most this panel allows per user: delete one you no longer need, then create the new one", n)
			}
		}
		if err := tx.Create(t).Error; err != nil {
			return err
		}
		if err := db.logTokenChange(tx, t, false); err != nil {
			return err
		}
		if db.dialect == Postgres {
			return tx.Exec(notifyCreatedSQL()).Error
		}
		return nil
	})
	var appErr *models.Error
	if errors.As(err, &appErr) {
		return err
	}
	return mapError(err, "token")
}

// Tokens returns one page of a user's tokens, newest first: at most limit, after the
// cursor when one is given. It is one statement that the index on (user_id, created_at,
// id) answers without sorting, so its cost does not grow with the number of tokens.
func (db *DB) Tokens(ctx context.Context, userID string, after *models.TokenCursor, limit int) ([]models.Token, error) {
	q := db.gorm.WithContext(ctx).Where("user_id = ?", userID)
	if after != nil {
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", after.CreatedAt.UTC(), after.CreatedAt.UTC(), after.ID)
	}
	var ts []models.Token
	err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&ts).Error
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
		if err := db.logTokenChange(tx, &t, true); err != nil {
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
// It deletes in batches, so no statement holds the table for long.
func (db *DB) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	n, err := db.deleteBatched(ctx, "tokens", "id", "expires_at < ?", cutoff.UTC())
	if err != nil {
		return n, mapError(err, "expired tokens")
	}
	// The change log is kept as long as expired tokens are: a replica that was away
	// longer reloads every token.
	_, err = db.pruneTokenChanges(ctx, cutoff)
	return n, mapError(err, "token changes")
}

// pruneBatch is how many rows one pruning statement deletes.
const pruneBatch = 5000

// deleteBatched deletes the rows of table matching where, pruneBatch rows a statement,
// until none is left or ctx ends, and returns how many it deleted.
func (db *DB) deleteBatched(ctx context.Context, table, key, where string, args ...any) (int64, error) {
	stmt := "DELETE FROM " + table + " WHERE " + key + " IN (SELECT " + key + " FROM " + table + " WHERE " + where + " LIMIT ?)"
	var total int64
	for {
		res := db.gorm.WithContext(ctx).Exec(stmt, append(args, pruneBatch)...)
		if res.Error != nil {
			return total, res.Error
		}
		total += res.RowsAffected
		if res.RowsAffected < pruneBatch {
			return total, nil
		}
	}
}
