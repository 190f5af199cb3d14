package store

import (
	"context"
	"log/slog"
)

// revocationChannel is the PostgreSQL channel on which deleted token IDs are announced.
const revocationChannel = "kaas_token_revoked"

// notifyRevoked announces a deleted token to every replica, inside the deleting
// transaction, so the notice goes out exactly when the delete commits.
func notifyRevokedSQL() string { return "SELECT pg_notify('" + revocationChannel + "', ?)" }

// ListenTokenRevocations calls revoked with the ID of every token deleted on any replica
// until ctx ends. Notices sent while the listener has no connection are lost, so reset
// (which must forget every cached token) is called when the connection is found lost and
// again when LISTEN is back in effect: a token deleted meanwhile is refused from then on
// (see Listen for how soon a lost connection is noticed). With SQLite there is one
// process only and it returns at once.
func (db *DB) ListenTokenRevocations(ctx context.Context, revoked func(id string), reset func(), log *slog.Logger) error {
	return db.Listen(ctx, Listener{
		Name:      "token-revocations",
		Channels:  []string{revocationChannel},
		Connected: reset, // anything deleted before LISTEN took effect was missed
		Lost:      reset,
		Notify:    func(_, id string) { revoked(id) },
	}, log)
}
