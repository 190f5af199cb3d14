package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// revocationChannel is the PostgreSQL channel on which deleted token IDs are announced.
const revocationChannel = "kaas_token_revoked"

// notifyRevoked announces a deleted token to every replica, inside the deleting
// transaction, so the notice goes out exactly when the delete commits.
func notifyRevokedSQL() string { return "SELECT pg_notify('" + revocationChannel + "', ?)" }

// ListenTokenRevocations calls revoked with the ID of every token deleted on any replica
// until ctx ends. After a lost connection it calls reset (notices may have been missed)
// and reconnects. With SQLite there is one process only and it returns at once.
func (db *DB) ListenTokenRevocations(ctx context.Context, revoked func(id string), reset func(), log *slog.Logger) error {
	if db.dialect != Postgres {
		return nil
	}
	backoff := 100 * time.Millisecond
	for {
		err := db.listenOnce(ctx, revoked, reset)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("token revocation listener lost its connection; reconnecting", "err", err)
		reset()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		if backoff < 5*time.Second {
			backoff *= 2
		}
	}
}

func (db *DB) listenOnce(ctx context.Context, revoked func(id string), reset func()) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+revocationChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	reset() // anything deleted before LISTEN took effect was missed
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		revoked(n.Payload)
	}
}
