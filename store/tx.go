package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// SQLSTATEs the store acts on.
const (
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgQueryCanceled        = "57014" // statement_timeout, among others
)

// pgCode is the SQLSTATE of a PostgreSQL error, "" for any other error.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// retryable reports whether a transaction that failed with err may simply run again:
// PostgreSQL rolled it back to break a serialization conflict or a deadlock.
func retryable(err error) bool {
	c := pgCode(err)
	return c == pgSerializationFailure || c == pgDeadlockDetected
}

// Transaction runs fn in a transaction and runs it again, up to the configured
// TxRetries times after a short random pause, when PostgreSQL aborted it with a
// serialization failure or a deadlock. fn must therefore have no effect outside the
// transaction. The error is fn's or the commit's, unmapped.
func (db *DB) Transaction(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 0; ; attempt++ {
		err := db.gorm.WithContext(ctx).Transaction(fn)
		if err == nil || attempt >= db.txRetries || !retryable(err) {
			return err
		}
		pause := time.Duration(1+rand.IntN(10*(attempt+1))) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}
