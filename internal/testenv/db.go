package testenv

import (
	"context"
	"os"
	"testing"

	"kaas/store"
)

// ForEachDialect runs a test against a fresh SQLite and a fresh PostgreSQL database.
func ForEachDialect(t *testing.T, run func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			run(t, OpenDB(t, d))
		})
	}
}

// OpenDB opens (and migrates) a fresh database of the dialect, closed when the test ends.
func OpenDB(t *testing.T, d store.Dialect) *store.DB {
	t.Helper()
	opts := store.Options{DataDir: t.TempDir()}
	if d == store.Postgres {
		opts.DSN = PostgresDSN(t)
	}
	db, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// AppDatabaseDSN is the database of a whole-panel test (apptest.Config): "" (SQLite in
// the test's data directory) unless KAAS_TEST_APP_DATABASE=postgres, then a fresh
// PostgreSQL schema (PostgresDSN). `make test` runs the app suite both ways.
func AppDatabaseDSN(tb testing.TB) string {
	tb.Helper()
	switch d := os.Getenv("KAAS_TEST_APP_DATABASE"); d {
	case "", string(store.SQLite):
		return ""
	case string(store.Postgres):
		return PostgresDSN(tb)
	default:
		tb.Fatalf("KAAS_TEST_APP_DATABASE=%q: want sqlite or postgres", d)
		return ""
	}
}
