package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// revocationChannel is the PostgreSQL channel on which deleted token IDs are announced;
// creationChannel announces, without any detail, that a token was created.
const (
	revocationChannel = "kaas_token_revoked"
	creationChannel   = "kaas_token_created"
)

// notifyRevoked announces a deleted token to every replica, inside the deleting
// transaction, so the notice goes out exactly when the delete commits.
func notifyRevokedSQL() string { return "SELECT pg_notify('" + revocationChannel + "', ?)" }

// notifyCreatedSQL announces a new token, inside the creating transaction.
func notifyCreatedSQL() string { return "SELECT pg_notify('" + creationChannel + "', '')" }

// TokenNotices are what ListenTokenNotices calls on the notices of other replicas.
type TokenNotices struct {
	// Revoked is called with the ID of each deleted token.
	Revoked func(id string)
	// Created is called after any token was created.
	Created func()
	// Reset is called when notices may have been missed.
	Reset func()
}

// ListenTokenNotices calls n.Revoked with the ID of every token deleted on any replica
// and n.Created after every token created on any replica, until ctx ends. After a lost
// connection it calls n.Reset (notices may have been missed) and reconnects. With SQLite
// there is one process only and it returns at once.
func (db *DB) ListenTokenNotices(ctx context.Context, n TokenNotices, log *slog.Logger) error {
	if db.dialect != Postgres {
		return nil
	}
	backoff := 100 * time.Millisecond
	for {
		err := db.listenOnce(ctx, n)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("token notice listener lost its connection; reconnecting", "err", err)
		n.Reset()
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

func (db *DB) listenOnce(ctx context.Context, n TokenNotices) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{revocationChannel, creationChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	n.Reset() // anything deleted or created before LISTEN took effect was missed
	for {
		msg, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if msg.Channel == creationChannel {
			n.Created()
		} else {
			n.Revoked(msg.Payload)
		}
	}
}
