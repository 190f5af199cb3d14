package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kaas/app"
	"kaas/config"
	"kaas/internal/replicaset"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

// TestTokensKeepAuthenticatingWhilePostgresIsStopped stops the panel's real PostgreSQL
// (a private server this test owns) with tokens in use: tokens known before keep
// authenticating from memory, a token revoked before the outage stays refused, a token
// never seen is unavailable rather than refused, the metrics say the panel serves from
// memory, and the last use recorded during the outage is written once the server is back.
func TestTokensKeepAuthenticatingWhilePostgresIsStopped(t *testing.T) {
	ctx := context.Background()
	pg, err := replicaset.StartPostgres()
	if err != nil {
		t.Fatalf("start a private PostgreSQL: %v", err)
	}
	t.Cleanup(pg.Remove)
	if err := pg.CreateDatabase(ctx, "kaas"); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), DatabaseDSN: pg.DSN("kaas"), LogLevel: "error",
		// Never contacted: the test authenticates tokens, not users.
		Keystone:   config.Keystone{AuthURL: "http://127.0.0.1:1/v3", Username: "svc", Password: "unused", ProjectName: "admin", UserDomain: "Default", ProjectDomain: "Default", Timeout: time.Second},
		SessionTTL: time.Hour, OperatorRole: "admin", Access: config.DefaultAccess(nil),
		IdentityTTL: time.Minute, IdentityStale: time.Minute, ShutdownTimeout: 5 * time.Second,
		AuditRetention: config.DefaultAuditRetention, ExpiredTokenGrace: config.DefaultExpiredTokenGrace,
		Database:        config.Database{MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Hour, ListenCheck: 200 * time.Millisecond},
		TokenStoreStale: time.Hour,
	}
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			a.Close()
		}
	})
	owner := models.Principal{UserID: "u-alice", Username: "alice", Domain: "Default"}
	kept, keptTok, err := a.Tokens.Create(ctx, owner, "kept", 0)
	if err != nil {
		t.Fatal(err)
	}
	revoked, revokedTok, err := a.Tokens.Create(ctx, owner, "revoked", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Tokens.Delete(ctx, owner.UserID, revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	index := a.Tokens.Index()
	waitFor(t, "the index to follow the database", func() bool { return !index.State().FromMemory })
	check := func(when, secret, cluster string, want models.Code) {
		t.Helper()
		_, err := a.Tokens.Authenticate(ctx, secret, cluster)
		if got := models.ErrorCode(err); got != want {
			t.Fatalf("%s: %q (%v), want %q", when, got, err, want)
		}
	}
	check("before the outage", kept, "", "")

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the index to notice the outage", func() bool { return index.State().FromMemory })
	if err := a.DB().Ping(ctx); err == nil {
		t.Fatal("the database still answers")
	}
	for range 100 {
		check("database stopped", kept, "during-outage", "")
	}
	check("database stopped, revoked before", revoked, "", models.CodeUnauthenticated)
	unknown, err := tokens.Generate(nil) // well-formed, never stored
	if err != nil {
		t.Fatal(err)
	}
	// It may have been created on another replica meanwhile: unavailable, not refused.
	check("database stopped, never seen", unknown, "", models.CodeUnavailable)
	if m := metric(t, a.Handler(), "kaas_token_index_serving_from_memory"); m != "1" {
		t.Fatalf("kaas_token_index_serving_from_memory = %q while the database is stopped", m)
	}

	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the index to follow the database again", func() bool { return !index.State().FromMemory })
	if m := metric(t, a.Handler(), "kaas_token_index_serving_from_memory"); m != "0" {
		t.Fatalf("kaas_token_index_serving_from_memory = %q once the database is back", m)
	}
	check("database back", kept, "", "")
	check("database back, never seen", unknown, "", models.CodeUnauthenticated)
	check("database back, revoked", revoked, "", models.CodeUnauthenticated)
	closed = true
	if err := a.Close(); err != nil { // flushes the uses kept meanwhile
		t.Fatal(err)
	}
	db, err := store.Open(ctx, store.Options{DSN: pg.DSN("kaas")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var row models.Token
	if err := db.Gorm().Where("id = ?", keptTok.ID).Take(&row).Error; err != nil {
		t.Fatal(err)
	}
	if row.LastUsedAt == nil || row.LastUsedCluster == nil || *row.LastUsedCluster != "during-outage" {
		t.Fatalf("the use recorded during the outage was not written: %v %v", row.LastUsedAt, row.LastUsedCluster)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metric returns the value of an unlabelled metric on the panel's /metrics.
func metric(t *testing.T, h http.Handler, name string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return ""
}
