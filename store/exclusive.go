package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockCheckInterval is how often RunExclusive checks that the connection holding a
// PostgreSQL advisory lock is still alive; when it is not, the lock is gone and fn's
// context is cancelled so two replicas never go on with the same work for long.
const lockCheckInterval = 5 * time.Second

// exclusiveLocks is the in-process stand-in for advisory locks on SQLite, where the
// database belongs to one process.
type exclusiveLocks struct {
	mu   sync.Mutex
	held map[string]bool
}

func (l *exclusiveLocks) tryLock(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return false
	}
	if l.held == nil {
		l.held = map[string]bool{}
	}
	l.held[name] = true
	return true
}

func (l *exclusiveLocks) unlock(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, name)
}

// RunExclusive runs fn unless the named work already runs elsewhere, and reports whether
// it ran. On PostgreSQL it holds a session-level advisory lock (keyed by a hash of the
// schema and name) on a connection of its own for as long as fn runs, so of several
// replicas only one runs the work at a time; fn's context is cancelled if that connection
// is lost. On SQLite (one process) an in-process lock does the same. The error is fn's,
// or why the lock could not be taken.
func (db *DB) RunExclusive(ctx context.Context, name string, fn func(context.Context) error) (ran bool, err error) {
	if db.dialect != Postgres {
		if !db.exclusive.tryLock(name) {
			return false, nil
		}
		defer db.exclusive.unlock(name)
		return true, fn(ctx)
	}
	conn, err := pgx.ConnectConfig(ctx, db.pgConfig.Copy())
	if err != nil {
		return false, mapError(fmt.Errorf("connect for lock %q: %w", name, err), "exclusive lock")
	}
	// Closing the session releases its advisory locks, also when fn panics.
	defer conn.Close(context.WithoutCancel(ctx))
	var got bool
	err = conn.QueryRow(ctx,
		"SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ':' || $1, 0))", name).Scan(&got)
	if err != nil {
		return false, mapError(fmt.Errorf("lock %q: %w", name, err), "exclusive lock")
	}
	if !got {
		return false, nil
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		watchLockConn(runCtx, conn, db.lockCheck, cancel)
	}()
	err = fn(runCtx)
	cancel(nil)
	<-watched // the watcher no longer touches conn: it is safe to close
	return true, err
}

// watchLockConn pings the lock's connection until ctx ends and cancels the work when the
// connection (and with it the lock) is lost.
func watchLockConn(ctx context.Context, conn *pgx.Conn, every time.Duration, cancel context.CancelCauseFunc) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pingCtx, done := context.WithTimeout(ctx, every)
			err := conn.Ping(pingCtx)
			done()
			if err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("exclusive lock connection lost: %w", err))
				return
			}
		}
	}
}
