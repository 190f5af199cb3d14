package tokens_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

type clock struct{ t atomic.Pointer[time.Time] }

func newClock() *clock {
	c := &clock{}
	c.set(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	return c
}
func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var alice = models.Principal{UserID: "u-alice", Username: "alice", Domain: "Default"}

func TestCreateValidation(t *testing.T) {
	svc := testenv.TokenService(t, openStore(t), tokens.Options{})
	tests := []struct {
		name     string
		tokName  string
		lifetime time.Duration
		code     models.Code
	}{
		{"default lifetime", "laptop", 0, ""},
		{"one day", "ci", 24 * time.Hour, ""},
		{"empty name", "  ", 0, models.CodeInvalid},
		{"overlong name", strings.Repeat("x", 101), 0, models.CodeInvalid},
		{"control character", "a\nb", 0, models.CodeInvalid},
		{"more than a year", "x", models.MaxTokenLifetime + time.Second, models.CodeInvalid},
		{"negative", "x", -time.Hour, models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, tok, err := svc.Create(context.Background(), alice, tt.tokName, tt.lifetime)
			if models.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			want := tt.lifetime
			if want == 0 {
				want = models.MaxTokenLifetime
			}
			if got := tok.ExpiresAt.Sub(tok.CreatedAt); got != want {
				t.Errorf("lifetime = %v, want %v", got, want)
			}
			if !strings.HasPrefix(secret, tok.Prefix) || strings.Contains(string(tok.Hash), secret) {
				t.Errorf("prefix %q / secret mismatch", tok.Prefix)
			}
		})
	}
	page, _ := svc.List(context.Background(), alice.UserID, nil, 0)
	if len(page.Tokens) != 2 {
		t.Errorf("stored %d tokens, want 2 (invalid input must change nothing)", len(page.Tokens))
	}
}

func TestAuthenticateLifecycle(t *testing.T) {
	db := openStore(t)
	clk := newClock()
	usage := tokens.NewUsageRecorder(db.RecordTokenUses, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := testenv.TokenService(t, db, tokens.Options{Now: clk.now, Usage: usage})
	ctx := context.Background()
	secret, tok, err := svc.Create(ctx, alice, "laptop", 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Authenticate(ctx, secret, "prod")
	if err != nil || got.ID != tok.ID || got.UserID != alice.UserID {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	// Usage is written in a batch, not per request.
	if page, _ := svc.List(ctx, alice.UserID, nil, 0); page.Tokens[0].LastUsedAt != nil {
		t.Error("last use written before the flush")
	}
	usage.Flush(ctx)
	page, _ := svc.List(ctx, alice.UserID, nil, 0)
	list := page.Tokens
	if list[0].LastUsedAt == nil || list[0].LastUsedCluster == nil || *list[0].LastUsedCluster != "prod" {
		t.Errorf("after flush: %+v", list[0])
	}

	other, _ := tokens.Generate(nil)
	for name, s := range map[string]string{"unknown": other, "malformed": "kaas_nope", "empty": ""} {
		if _, err := svc.Authenticate(ctx, s, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
			t.Errorf("%s: %v", name, err)
		}
	}

	if _, err := svc.Delete(ctx, "u-bob", tok.ID); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("delete by another user: %v", err)
	}
	if _, err := svc.Authenticate(ctx, secret, ""); err != nil {
		t.Fatalf("still valid after a refused delete: %v", err)
	}
	if _, err := svc.Delete(ctx, alice.UserID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, secret, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
		t.Fatalf("deleted token accepted: %v", err)
	}

	secret2, _, _ := svc.Create(ctx, alice, "short", 24*time.Hour)
	if _, err := svc.Authenticate(ctx, secret2, ""); err != nil {
		t.Fatal(err)
	}
	clk.add(24 * time.Hour)
	if _, err := svc.Authenticate(ctx, secret2, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
		t.Fatalf("expired token accepted: %v", err)
	}
}
