package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/store"
)

// holdExclusive starts RunExclusive(name) on db in the background with work that waits
// for release, and returns once the work runs.
func holdExclusive(t *testing.T, db *store.DB, name string) (release func() error) {
	t.Helper()
	started, stop := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		ran, err := db.RunExclusive(context.Background(), name, func(context.Context) error {
			close(started)
			<-stop
			return nil
		})
		if !ran && err == nil {
			err = errors.New("first RunExclusive did not run")
		}
		done <- err
	}()
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("RunExclusive returned before running: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("RunExclusive did not start its work")
	}
	return func() error { close(stop); return <-done }
}

func TestRunExclusive(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		name := fmt.Sprintf("test-%d", time.Now().UnixNano())
		release := holdExclusive(t, db, name)

		var calls atomic.Int32
		ran, err := db.RunExclusive(ctx, name, func(context.Context) error { calls.Add(1); return nil })
		if ran || err != nil || calls.Load() != 0 {
			t.Fatalf("while held: ran=%v err=%v calls=%d, want not run", ran, err, calls.Load())
		}
		// Another name is independent.
		if ran, err := db.RunExclusive(ctx, name+"-other", func(context.Context) error { return nil }); !ran || err != nil {
			t.Fatalf("other name: ran=%v err=%v", ran, err)
		}
		if err := release(); err != nil {
			t.Fatal(err)
		}
		want := errors.New("work failed")
		ran, err = db.RunExclusive(ctx, name, func(context.Context) error { calls.Add(1); return want })
		if !ran || !errors.Is(err, want) || calls.Load() != 1 {
			t.Fatalf("after release: ran=%v err=%v calls=%d, want ran with the work's error", ran, err, calls.Load())
		}
		// A panicking fn releases the lock too.
		func() {
			defer func() { _ = recover() }()
			_, _ = db.RunExclusive(ctx, name, func(context.Context) error { panic("boom") })
		}()
		if ran, err := db.RunExclusive(ctx, name, func(context.Context) error { return nil }); !ran || err != nil {
			t.Fatalf("after a panic: ran=%v err=%v", ran, err)
		}
	})
}

// TestRunExclusiveAcrossHandles opens two handles on one PostgreSQL schema, as two
// replicas do: only one runs the named work at a time.
func TestRunExclusiveAcrossHandles(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), store.Options{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	release := holdExclusive(t, a, "prune")
	if ran, err := b.RunExclusive(context.Background(), "prune", func(context.Context) error { return nil }); ran || err != nil {
		t.Fatalf("second replica while held: ran=%v err=%v", ran, err)
	}
	// Another schema (another deployment on the same database) has its own locks.
	other := testenv.OpenDB(t, store.Postgres)
	if ran, err := other.RunExclusive(context.Background(), "prune", func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("another schema: ran=%v err=%v", ran, err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if ran, err := b.RunExclusive(context.Background(), "prune", func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("second replica after release: ran=%v err=%v", ran, err)
	}
}

// TestRunExclusiveLostConnection kills the session holding the lock: the work's context
// is cancelled, since another replica may now take the lock.
func TestRunExclusiveLostConnection(t *testing.T) {
	db := testenv.OpenDB(t, store.Postgres)
	store.SetLockCheckInterval(db, 50*time.Millisecond)
	ctx := context.Background()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := db.RunExclusive(ctx, "restore", func(ctx context.Context) error {
			close(started)
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-time.After(20 * time.Second):
				return errors.New("work was not cancelled")
			}
		})
		done <- err
	}()
	<-started
	var killed int
	err := db.Gorm().WithContext(ctx).Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
		AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(current_schema() || ':' || 'restore', 0)`).Scan(&killed).Error
	if err != nil || killed != 1 {
		t.Fatalf("terminate lock holder: killed %d, %v", killed, err)
	}
	select {
	case err := <-done:
		if err == nil || err.Error() == "work was not cancelled" {
			t.Fatalf("work after the lock connection died: %v, want cancelled", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("RunExclusive did not return after its connection died")
	}
	if ran, err := db.RunExclusive(ctx, "restore", func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("after the lost connection: ran=%v err=%v", ran, err)
	}
}
