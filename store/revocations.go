package store

import (
	"context"
	"log/slog"
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
	// Reset is called when notices may have been missed: when LISTEN takes effect, and
	// when the connection is lost unless Lost is set. It must forget every cached token
	// or catch up on what changed meanwhile.
	Reset func()
	// Lost, when set, is called instead of Reset when the connection is found lost.
	Lost func()
}

// ListenTokenNotices calls n.Revoked with the ID of every token deleted on any replica
// and n.Created after every token created on any replica, until ctx ends. Notices sent
// while the listener has no connection are lost, so n.Reset is called when the
// connection is found lost and again when LISTEN is back in effect: a token deleted
// meanwhile is refused from then on (see Listen for how soon a lost connection is
// noticed). With SQLite there is one process only and it returns at once.
func (db *DB) ListenTokenNotices(ctx context.Context, n TokenNotices, log *slog.Logger) error {
	lost := n.Reset
	if n.Lost != nil {
		lost = n.Lost
	}
	return db.Listen(ctx, Listener{
		Name:      "token-revocations",
		Channels:  []string{revocationChannel, creationChannel},
		Connected: n.Reset, // anything deleted or created before LISTEN took effect was missed
		Lost:      lost,
		Notify: func(channel, payload string) {
			if channel == creationChannel {
				n.Created()
				return
			}
			n.Revoked(payload)
		},
	}, log)
}
