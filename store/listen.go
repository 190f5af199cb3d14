package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listener says what Listen listens to and whom it tells.
type Listener struct {
	// Name names the listener in logs and, after the DSN's application_name ("kaas" when
	// it has none) and a slash, in PostgreSQL's pg_stat_activity.
	Name     string
	Channels []string
	// Connected is called each time LISTEN has taken effect (the first time included):
	// anything announced before was not received and must be re-read.
	Connected func()
	// Lost is called as soon as the connection is found lost, before reconnecting.
	Lost func()
	// Notify is called with every notice, in the order they were sent.
	Notify func(channel, payload string)
}

// Listen relays PostgreSQL notices on l's channels until ctx ends, on a connection of its
// own. A lost connection is noticed at once when the server closes it (a restart, a
// terminated backend) and within twice Tuning.ListenCheck when it goes silent (the
// connection is pinged after each quiet ListenCheck and given as long to answer). Listen
// then calls Lost and reconnects after a backoff of 100 ms doubling up to 5 s, which
// restarts at 100 ms once a connection has lasted. With SQLite (one process) it returns
// nil at once.
func (db *DB) Listen(ctx context.Context, l Listener, log *slog.Logger) error {
	if db.dialect != Postgres {
		return nil
	}
	const first, most = 100 * time.Millisecond, 5 * time.Second
	backoff := first
	for {
		began := time.Now()
		listened, err := db.listenOnce(ctx, l)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if listened && time.Since(began) > most {
			backoff = first
		}
		log.Warn("database listener lost its connection; reconnecting", "listener", l.Name, "err", err, "retry_in", backoff)
		if l.Lost != nil {
			l.Lost()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, most)
	}
}

// listenOnce listens on one connection until it fails; listened reports whether LISTEN
// took effect.
func (db *DB) listenOnce(ctx context.Context, l Listener) (listened bool, err error) {
	connectCtx, cancel := context.WithTimeout(ctx, db.listenCheck)
	cfg := db.pgConfig.Copy()
	cfg.RuntimeParams["application_name"] += "/" + l.Name
	conn, err := pgx.ConnectConfig(connectCtx, cfg)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range l.Channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return false, fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	if l.Connected != nil {
		l.Connected()
	}
	for {
		// pgx's default context handling only sets a read deadline: a quiet period ends
		// the wait without harming the connection, and the ping below proves it alive.
		waitCtx, cancel := context.WithTimeout(ctx, db.listenCheck)
		n, err := conn.WaitForNotification(waitCtx)
		cancel()
		switch {
		case err == nil:
			l.Notify(n.Channel, n.Payload)
			continue
		case ctx.Err() != nil:
			return true, ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded):
			return true, err
		}
		pingCtx, cancel := context.WithTimeout(ctx, db.listenCheck)
		err = conn.Ping(pingCtx)
		cancel()
		if err != nil {
			return true, fmt.Errorf("ping: %w", err)
		}
	}
}
