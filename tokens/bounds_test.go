package tokens_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/models"
	"kaas/store"
	"kaas/tokens"
)

func TestCacheNeverRemembersErrors(t *testing.T) {
	var loads atomic.Int32
	c := tokens.NewCache(tokens.CacheOptions{}, func(ctx context.Context, h tokens.Hash) (*models.Token, error) {
		if loads.Add(1) == 1 {
			return nil, errors.New("connection refused")
		}
		return &models.Token{ID: "t1"}, nil
	})
	ctx := context.Background()
	if _, _, err := c.Get(ctx, tokens.Hash{1}); err == nil {
		t.Fatal("the database error was not returned")
	}
	tok, hit, err := c.Get(ctx, tokens.Hash{1})
	if err != nil || tok == nil || hit || loads.Load() != 2 {
		t.Fatalf("after an error: tok=%v hit=%v err=%v loads=%d; want a fresh load that finds the token", tok, hit, err, loads.Load())
	}
}

func TestCacheSharesOneLoadPerHash(t *testing.T) {
	var loads atomic.Int32
	release := make(chan struct{})
	c := tokens.NewCache(tokens.CacheOptions{}, func(ctx context.Context, h tokens.Hash) (*models.Token, error) {
		loads.Add(1)
		<-release
		return nil, models.Errorf(models.CodeNotFound, "token not found")
	})
	var wg sync.WaitGroup
	var waiting atomic.Int32
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waiting.Add(1)
			if tok, _, err := c.Get(context.Background(), tokens.Hash{7}); tok != nil || err != nil {
				t.Errorf("Get = %v, %v", tok, err)
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for waiting.Load() < 50 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the last callers join the flight
	close(release)
	wg.Wait()
	if n := loads.Load(); n < 1 || n > 2 {
		t.Fatalf("%d concurrent lookups of one hash ran %d queries, want 1 (2 if a caller came after the first finished)", 50, n)
	}
}

func TestCacheCapsDatabaseLookupsInFlight(t *testing.T) {
	const maxLoads = 3
	var inFlight, peak, loads atomic.Int32
	c := tokens.NewCache(tokens.CacheOptions{MaxLoads: maxLoads}, func(ctx context.Context, h tokens.Hash) (*models.Token, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
		loads.Add(1)
		return nil, models.Errorf(models.CodeNotFound, "token not found")
	})
	var wg sync.WaitGroup
	for i := range 200 { // a spray of distinct unknown hashes
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Get(context.Background(), tokens.Hash{2, byte(i)}); err != nil {
				t.Errorf("Get: %v", err)
			}
		}()
	}
	wg.Wait()
	if peak.Load() > maxLoads || loads.Load() != 200 {
		t.Fatalf("peak %d lookups in flight (want at most %d), %d lookups (want 200)", peak.Load(), maxLoads, loads.Load())
	}
}

func TestCacheLookupWaitingForAPlaceGivesUpWithItsCaller(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := tokens.NewCache(tokens.CacheOptions{MaxLoads: 1}, func(ctx context.Context, h tokens.Hash) (*models.Token, error) {
		<-release
		return nil, models.Errorf(models.CodeNotFound, "token not found")
	})
	go c.Get(context.Background(), tokens.Hash{1}) // holds the only place
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err := c.Get(ctx, tokens.Hash{2})
	if models.ErrorCode(err) != models.CodeUnavailable {
		t.Fatalf("err = %v, want UNAVAILABLE (never an answer that the token is unknown)", err)
	}
	if c.Len() != 0 {
		t.Error("an abandoned lookup was cached")
	}
}

func TestCacheFlushNegativeKeepsKnownTokens(t *testing.T) {
	var loads atomic.Int32
	c := tokens.NewCache(tokens.CacheOptions{}, func(ctx context.Context, h tokens.Hash) (*models.Token, error) {
		loads.Add(1)
		if h[0] == 1 {
			return &models.Token{ID: "t1"}, nil
		}
		return nil, models.Errorf(models.CodeNotFound, "token not found")
	})
	ctx := context.Background()
	c.Get(ctx, tokens.Hash{1})
	c.Get(ctx, tokens.Hash{2})
	c.Get(ctx, tokens.Hash{3})
	c.FlushNegative()
	if _, hit, _ := c.Get(ctx, tokens.Hash{1}); !hit {
		t.Error("a known token was forgotten")
	}
	if _, hit, _ := c.Get(ctx, tokens.Hash{2}); hit {
		t.Error("an unknown hash was still remembered")
	}
	c.Forget(tokens.Hash{3})
	if _, hit, _ := c.Get(ctx, tokens.Hash{3}); hit {
		t.Error("a forgotten unknown hash was still remembered")
	}
	if loads.Load() != 5 {
		t.Errorf("loads = %d, want 5", loads.Load())
	}
}

// fixedRand returns the same 32 bytes on every read, so a test knows a secret before
// the token exists.
type fixedRand byte

func (f fixedRand) Read(p []byte) (int, error) {
	copy(p, bytes.Repeat([]byte{byte(f)}, len(p)))
	return len(p), nil
}

func TestATokenLookedUpBeforeItsCreationWorksOnceCreated(t *testing.T) {
	svc := tokens.NewService(openStore(t), tokens.Options{Rand: fixedRand(9)})
	ctx := context.Background()
	secret, _ := tokens.Generate(fixedRand(9))
	if _, err := svc.Authenticate(ctx, secret, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
		t.Fatalf("before creation: %v", err)
	}
	created, _, err := svc.Create(ctx, alice, "laptop", 0)
	if err != nil || created != secret {
		t.Fatalf("Create = %q, %v", created, err)
	}
	if _, err := svc.Authenticate(ctx, secret, ""); err != nil {
		t.Fatalf("the new token was refused from a remembered lookup: %v", err)
	}
}

// TestATokenCreatedOnAnotherReplicaIsAccepted runs two services, as two replicas, on one
// PostgreSQL database: B creates a token whose hash A remembers as unknown, and A
// accepts it once the database's creation notice arrives.
func TestATokenCreatedOnAnotherReplicaIsAccepted(t *testing.T) {
	a, b := testenv.OpenDB(t, store.Postgres), (*store.DB)(nil)
	var err error
	if b, err = store.Open(context.Background(), store.Options{DSN: a.DSN()}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	replicaA := tokens.NewService(a, tokens.Options{Cache: tokens.CacheOptions{NegativeTTL: time.Hour}})
	replicaB := tokens.NewService(b, tokens.Options{Rand: fixedRand(4)})
	ctx, cancel := context.WithCancel(context.Background())
	listening := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		cache := replicaA.Cache()
		a.ListenTokenNotices(ctx, store.TokenNotices{Revoked: cache.Invalidate, Created: cache.FlushNegative,
			Reset: func() { cache.Flush(); once.Do(func() { close(listening) }) }}, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-listening

	secret, _ := tokens.Generate(fixedRand(4))
	if _, err := replicaA.Authenticate(ctx, secret, ""); models.ErrorCode(err) != models.CodeUnauthenticated {
		t.Fatalf("before creation: %v", err)
	}
	if _, _, err := replicaB.Create(ctx, alice, "ci", 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := replicaA.Authenticate(ctx, secret, "")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica A still refuses the token created on B: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestListPagesAndTheLimitPerUser(t *testing.T) {
	db := openStore(t)
	clk := newClock()
	svc := tokens.NewService(db, tokens.Options{Now: clk.now, MaxPerUser: 230})
	ctx := context.Background()
	for i := range 230 {
		if _, _, err := svc.Create(ctx, alice, fmt.Sprint("t", i), 0); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			clk.add(time.Second)
		}
	}
	_, _, err := svc.Create(ctx, alice, "one too many", 0)
	if models.ErrorCode(err) != models.CodeConflict || !strings.Contains(models.ErrorMessage(err), "230 tokens") {
		t.Fatalf("token 231: %v, want CONFLICT naming the limit", err)
	}
	if _, _, err := svc.Create(ctx, models.Principal{UserID: "u-bob", Username: "bob"}, "bob's", 0); err != nil {
		t.Fatalf("another user: %v", err)
	}

	tests := []struct {
		name  string
		first int
		pages []int
		code  models.Code
	}{
		{"default page", 0, []int{100, 100, 30}, ""},
		{"largest page", models.MaxTokenPage, []int{230}, ""},
		{"exact fit", 115, []int{115, 115}, ""},
		{"too large", models.MaxTokenPage + 1, nil, models.CodeInvalid},
		{"negative", -1, nil, models.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := map[string]bool{}
			var after *models.TokenCursor
			var sizes []int
			for {
				page, err := svc.List(ctx, alice.UserID, after, tt.first)
				if models.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want %q", err, tt.code)
				}
				if err != nil {
					return
				}
				sizes = append(sizes, len(page.Tokens))
				for _, tok := range page.Tokens {
					if seen[tok.ID] || tok.UserID != alice.UserID {
						t.Fatalf("token %s listed twice or of another user", tok.ID)
					}
					seen[tok.ID] = true
				}
				if page.Next == nil {
					break
				}
				if len(sizes) > 10 {
					t.Fatal("the pages do not end")
				}
				after = page.Next
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.pages) || len(seen) != 230 {
				t.Errorf("pages %v (%d tokens), want %v (230)", sizes, len(seen), tt.pages)
			}
		})
	}

	page, _ := svc.List(ctx, alice.UserID, nil, 1)
	if _, err := svc.Delete(ctx, alice.UserID, page.Tokens[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Create(ctx, alice, "after a delete", 0); err != nil {
		t.Errorf("under the limit again: %v", err)
	}
}

func TestCursorRoundTripAndRejects(t *testing.T) {
	c := models.TokenCursor{CreatedAt: time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC), ID: "0b7e6f52-2c55-4b53-9a57-0b1b4d6f2a10"}
	got, err := tokens.ParseCursor(tokens.EncodeCursor(c))
	if err != nil || !got.CreatedAt.Equal(c.CreatedAt) || got.ID != c.ID {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	for name, s := range map[string]string{
		"empty": "", "not base64": "!!", "no separator": "YWJj", "bad time": tokens.EncodeCursor(c)[:10] + "xx",
		"sql in the id": "MjAyNi0wNS0wNlQwNzowODowOVogJyBPUiAxPTEgLS0", "long": strings.Repeat("A", 200),
	} {
		if _, err := tokens.ParseCursor(s); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("%s: %v, want INVALID", name, err)
		}
	}
}
