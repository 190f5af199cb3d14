package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
)

// revocationLog records what the revocation listener reports.
type revocationLog struct {
	mu      sync.Mutex
	revoked []string
	resets  int
}

func (r *revocationLog) revoke(id string) {
	r.mu.Lock()
	r.revoked = append(r.revoked, id)
	r.mu.Unlock()
}
func (r *revocationLog) reset() { r.mu.Lock(); r.resets++; r.mu.Unlock() }
func (r *revocationLog) state() ([]string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.revoked...), r.resets
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRevocationListenerSurvivesATerminatedBackend cuts the listener's connection the
// way an operator or a failover would (pg_terminate_backend) and checks that the cache is
// told to forget everything (so a token deleted during the gap is not honoured) and that
// notices flow again after the reconnection.
func TestRevocationListenerSurvivesATerminatedBackend(t *testing.T) {
	app := fmt.Sprintf("kaas-listen-%d", time.Now().UnixNano())
	dsn := testenv.PostgresDSN(t) + " application_name=" + app
	db, err := store.Open(context.Background(), store.Options{DSN: dsn, Tuning: store.Tuning{ListenCheck: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log revocationLog
	done := make(chan error, 1)
	go func() {
		done <- db.ListenTokenNotices(ctx, store.TokenNotices{Revoked: log.revoke, Created: func() {}, Reset: log.reset}, slog.New(slog.DiscardHandler))
	}()
	waitFor(t, "LISTEN in effect (first reset)", 10*time.Second, func() bool { _, n := log.state(); return n == 1 })

	mkToken := func(id string) {
		t.Helper()
		tok := &models.Token{ID: id, UserID: "u", Username: "u", Name: id, Prefix: "p", Hash: bytes.Repeat([]byte(id[:1]), 32), ExpiresAt: time.Now().Add(time.Hour)}
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	mkToken("a")
	mkToken("b")
	if _, err := db.DeleteToken(ctx, "u", "a"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "notice of a", 5*time.Second, func() bool { ids, _ := log.state(); return len(ids) == 1 && ids[0] == "a" })

	admin, err := pgx.Connect(ctx, testenv.Getenv(t, "KAAS_TEST_POSTGRES_DSN"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var killed int
	if err := admin.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
		app+"/token-revocations").Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listener backends, %v; want 1", killed, err)
	}
	// Lost, then Connected again: two more resets, each of which forgets every cached token.
	waitFor(t, "resets after the cut", 10*time.Second, func() bool { _, n := log.state(); return n >= 3 })
	if _, err := db.DeleteToken(ctx, "u", "b"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "notice of b after reconnecting", 5*time.Second, func() bool { ids, _ := log.state(); return len(ids) == 2 && ids[1] == "b" })

	// A quiet listener pings its connection instead of waiting forever: still one backend.
	time.Sleep(600 * time.Millisecond)
	var listeners int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app+"/token-revocations").Scan(&listeners); err != nil || listeners != 1 {
		t.Fatalf("%d listener backends, %v; want 1", listeners, err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("listener ended with %v, want context.Canceled", err)
	}
}

// TestTransactionRetriesSerializationFailures runs transactions that PostgreSQL aborts
// with a serialization failure or a deadlock (injected as the error the driver returns)
// and checks they are run again up to the configured count, and other errors are not.
func TestTransactionRetriesSerializationFailures(t *testing.T) {
	cases := []struct {
		name      string
		retries   int
		failures  int
		code      string
		wantCalls int
		wantErr   bool
	}{
		{"serialization failure retried", 3, 2, "40001", 3, false},
		{"deadlock retried", 3, 1, "40P01", 2, false},
		{"gives up after the retries", 2, 5, "40001", 3, true},
		{"retries off", -1, 1, "40001", 1, true},
		{"other errors not retried", 3, 1, "23505", 1, true},
	}
	dsn := testenv.PostgresDSN(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), store.Options{DSN: dsn, Tuning: store.Tuning{TxRetries: tc.retries}})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			calls := 0
			err = db.Transaction(context.Background(), func(tx *gorm.DB) error {
				calls++
				if err := tx.Exec("SELECT 1").Error; err != nil {
					return err
				}
				if calls <= tc.failures {
					return &pgconn.PgError{Code: tc.code, Message: "injected"}
				}
				return nil
			})
			if calls != tc.wantCalls || (err != nil) != tc.wantErr {
				t.Fatalf("calls=%d err=%v, want calls=%d err=%v", calls, err, tc.wantCalls, tc.wantErr)
			}
		})
	}
}

// TestStatementTimeout checks that pooled connections carry the configured
// statement_timeout and that a statement running past it fails UNAVAILABLE.
func TestStatementTimeout(t *testing.T) {
	db, err := store.Open(context.Background(), store.Options{DSN: testenv.PostgresDSN(t), Tuning: store.Tuning{StatementTimeout: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var setting string
	if err := db.Gorm().Raw("SHOW statement_timeout").Scan(&setting).Error; err != nil || setting != "300ms" {
		t.Fatalf("statement_timeout = %q, %v; want 300ms", setting, err)
	}
	err = db.Gorm().Exec("SELECT pg_sleep(2)").Error
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("statement timeout")) {
		t.Fatalf("pg_sleep(2) = %v, want a statement timeout", err)
	}
	if code := models.ErrorCode(store.MapError(err)); code != models.CodeUnavailable {
		t.Fatalf("mapped to %s, want UNAVAILABLE", code)
	}
}

// viaProxy returns dsn with its host and port replaced by the proxy's.
func viaProxy(t *testing.T, dsn string, p *testenv.TCPProxy) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.Host = fmt.Sprintf("127.0.0.1:%d", p.Port())
		return u.String()
	}
	return fmt.Sprintf("%s host=127.0.0.1 port=%d", dsn, p.Port()) // later keywords win
}

// TestRevocationListenerNoticesASilentConnection makes the network to PostgreSQL go
// silent (no reset, no answer: a partition) and checks that the listener finds its
// connection dead within about two ListenCheck intervals, forgets the cached tokens, and
// listens again once the network is back.
func TestRevocationListenerNoticesASilentConnection(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	proxy := testenv.NewTCPProxy(t, "tcp://"+pgHostPort(t, dsn))
	const check = 300 * time.Millisecond
	db, err := store.Open(context.Background(), store.Options{DSN: viaProxy(t, dsn, proxy), Tuning: store.Tuning{ListenCheck: check}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writer, err := store.Open(context.Background(), store.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log revocationLog
	go db.ListenTokenNotices(ctx, store.TokenNotices{Revoked: log.revoke, Created: func() {}, Reset: log.reset}, slog.New(slog.DiscardHandler))
	waitFor(t, "LISTEN in effect", 10*time.Second, func() bool { _, n := log.state(); return n == 1 })

	proxy.Freeze()
	frozen := time.Now()
	waitFor(t, "the silent connection found dead", 10*check, func() bool { _, n := log.state(); return n >= 2 })
	t.Logf("silent connection found dead after %s (ListenCheck %s)", time.Since(frozen).Round(time.Millisecond), check)
	proxy.Thaw()
	_, before := log.state()
	waitFor(t, "listening again", 15*time.Second, func() bool { _, n := log.state(); return n > before })
	tok := &models.Token{ID: "silent", UserID: "u", Username: "u", Name: "n", Prefix: "p", Hash: bytes.Repeat([]byte{9}, 32), ExpiresAt: time.Now().Add(time.Hour)}
	if err := writer.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.DeleteToken(ctx, "u", "silent"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the notice after the network came back", 10*time.Second, func() bool {
		ids, _ := log.state()
		return slices.Contains(ids, "silent")
	})
}

// pgHostPort is the host:port of a DSN.
func pgHostPort(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}
