package store_test

import (
	"context"
	"testing"

	"kaas/internal/testenv"
	"kaas/store"
)

// dialects opens a fresh database of each dialect for a subtest.
func forEachDialect(t *testing.T, run func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			run(t, openTest(t, d))
		})
	}
}

func openTest(t *testing.T, d store.Dialect) *store.DB {
	t.Helper()
	opts := store.Options{DataDir: t.TempDir()}
	if d == store.Postgres {
		opts.DSN = testenv.PostgresDSN(t)
	}
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func postgresDSN(t *testing.T) string { return testenv.PostgresDSN(t) }
