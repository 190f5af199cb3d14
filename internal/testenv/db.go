package testenv

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"kaas/models"
	"kaas/store"
	"kaas/tokens"
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
func OpenDB(t testing.TB, d store.Dialect) *store.DB {
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

// BenchDialects are the databases benchmarks run on: SQLite, and PostgreSQL when
// KAAS_TEST_POSTGRES_DSN is set (benchmarks run without the real counterparts too).
func BenchDialects() []store.Dialect {
	if os.Getenv("KAAS_TEST_POSTGRES_DSN") == "" {
		return []store.Dialect{store.SQLite}
	}
	return []store.Dialect{store.SQLite, store.Postgres}
}

// SeedTokens stores n live tokens of one user, a second apart, in batches, and returns
// their secrets, oldest first.
func SeedTokens(tb testing.TB, db *store.DB, owner models.Principal, n int) []string {
	tb.Helper()
	secrets := make([]string, n)
	rows := make([]models.Token, n)
	start := time.Now().UTC().Add(-time.Duration(n) * time.Second)
	for i := range rows {
		s, err := tokens.Generate(nil)
		if err != nil {
			tb.Fatal(err)
		}
		h := sha256.Sum256([]byte(s))
		at := start.Add(time.Duration(i) * time.Second)
		secrets[i] = s
		rows[i] = models.Token{ID: uuid.NewString(), UserID: owner.UserID, Username: owner.Username,
			Name: fmt.Sprint("token ", i), Prefix: tokens.DisplayPrefix(s), Hash: h[:], CreatedAt: at, ExpiresAt: at.Add(models.MaxTokenLifetime)}
	}
	if err := db.CreateTokens(context.Background(), rows); err != nil {
		tb.Fatalf("seed %d tokens: %v", n, err)
	}
	return secrets
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

// TokenService returns the token service over db with its index loaded, as the panel
// wires it (in process on SQLite: every change goes through it).
func TokenService(tb testing.TB, db *store.DB, opts tokens.Options) *tokens.Service {
	tb.Helper()
	x := tokens.NewIndex(db, tokens.IndexOptions{InProcess: db.Dialect() == store.SQLite, Now: opts.Now})
	if err := x.Load(context.Background()); err != nil {
		tb.Fatalf("load the token index: %v", err)
	}
	return tokens.NewService(db, x, opts)
}
