package identity

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/models"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// keystoneStub stands in for Keystone.User in these unit tests of the cache's timing
// rules; the real Keystone is exercised in keystone_test.go and the webhook's tests.
type keystoneStub struct {
	calls    atomic.Int32
	mu       sync.Mutex
	state    string // "ok", "disabled", "deleted", "down"
	inflight chan struct{}
}

func (k *keystoneStub) set(s string) { k.mu.Lock(); k.state = s; k.mu.Unlock() }

func (k *keystoneStub) user(ctx context.Context, id string) (models.Identity, error) {
	k.calls.Add(1)
	if k.inflight != nil {
		<-k.inflight
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch k.state {
	case "deleted":
		return models.Identity{}, models.Errorf(models.CodeNotFound, "gone")
	case "down":
		return models.Identity{}, models.WrapError(models.CodeUnavailable, errors.New("dial"), "Keystone is unreachable")
	}
	return models.Identity{UserID: id, Username: "alice", Enabled: k.state != "disabled"}, nil
}

func TestCacheTTLAndStaleWindow(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	ks := &keystoneStub{state: "ok"}
	c := NewCache(CacheOptions{TTL: time.Minute, Stale: 10 * time.Minute, RetryAfter: 5 * time.Second, Now: clk.Now}, ks.user)
	ctx := context.Background()
	step := func(name string, wantCalls int32, wantCode models.Code, wantEnabled bool) {
		t.Helper()
		id, err := c.Get(ctx, "u1")
		if models.ErrorCode(err) != wantCode {
			t.Fatalf("%s: err = %v, want %q", name, err, wantCode)
		}
		if err == nil && id.Enabled != wantEnabled {
			t.Fatalf("%s: enabled = %v", name, id.Enabled)
		}
		if got := ks.calls.Load(); got != wantCalls {
			t.Fatalf("%s: Keystone calls = %d, want %d", name, got, wantCalls)
		}
	}
	step("first fetch", 1, "", true)
	step("cached", 1, "", true)
	clk.Add(59 * time.Second)
	step("still cached", 1, "", true)
	clk.Add(2 * time.Second)
	ks.set("down")
	step("Keystone down: stale served", 2, "", true)
	step("no retry storm while down", 2, "", true)
	clk.Add(6 * time.Second)
	step("retried after backoff", 3, "", true)
	clk.Add(11 * time.Minute)
	step("past the stale window: fail closed", 4, models.CodeUnavailable, false)
	ks.set("disabled")
	clk.Add(6 * time.Second)
	step("disabled user seen", 5, "", false)
	clk.Add(61 * time.Second)
	ks.set("deleted")
	step("deleted user", 6, models.CodeNotFound, false)
	step("deleted user cached", 6, models.CodeNotFound, false)
}

func TestCacheSingleflight(t *testing.T) {
	ks := &keystoneStub{state: "ok", inflight: make(chan struct{})}
	c := NewCache(CacheOptions{TTL: time.Minute}, ks.user)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Get(context.Background(), "u1"); err != nil {
				t.Error(err)
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for ks.calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(ks.inflight)
	wg.Wait()
	if got := ks.calls.Load(); got != 1 {
		t.Fatalf("Keystone calls = %d for 50 concurrent callers, want 1", got)
	}
}
