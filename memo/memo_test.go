package memo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/memo"
)

// clock is a fake clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestCache(t *testing.T) {
	type step struct {
		advance time.Duration
		forget  bool
		fail    bool
		want    int // the answer: the number of upstream calls so far
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"an answer is served within the TTL", []step{{want: 1}, {advance: 9 * time.Second, want: 1}}},
		{"an expired answer is fetched again", []step{{want: 1}, {advance: 10 * time.Second, want: 2}, {want: 2}}},
		{"forget drops the answer", []step{{want: 1}, {forget: true, want: 2}}},
		{"errors are not remembered", []step{{fail: true}, {want: 2}, {want: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{now: time.Unix(1000, 0)}
			c := memo.New[string, int](memo.Options{TTL: 10 * time.Second, Now: clk.Now})
			calls := 0
			for i, s := range tt.steps {
				clk.Add(s.advance)
				if s.forget {
					c.Forget("k")
				}
				got, err := c.Get(context.Background(), "k", func(context.Context) (int, error) {
					calls++
					if s.fail {
						return 0, errors.New("upstream down")
					}
					return calls, nil
				})
				if s.fail {
					if err == nil {
						t.Fatalf("step %d: no error", i)
					}
					continue
				}
				if err != nil || got != s.want {
					t.Fatalf("step %d: got %d, %v; want %d", i, got, err, s.want)
				}
			}
		})
	}
}

func TestGetWithin(t *testing.T) {
	clk := &clock{now: time.Unix(1000, 0)}
	c := memo.New[string, int](memo.Options{TTL: 10 * time.Second, Now: clk.Now})
	calls := 0
	fetch := func(context.Context) (int, error) { calls++; return calls, nil }
	ctx := context.Background()
	steps := []struct {
		advance, maxAge time.Duration
		want            int
	}{
		{0, time.Second, 1},
		{500 * time.Millisecond, time.Second, 1}, // young enough
		{time.Second, time.Second, 2},            // too old for this asker
		{5 * time.Second, time.Minute, 2},        // capped at the TTL, still within it
		{5 * time.Second, time.Minute, 3},        // past the TTL
	}
	for i, s := range steps {
		clk.Add(s.advance)
		if got, err := c.GetWithin(ctx, "k", s.maxAge, fetch); err != nil || got != s.want {
			t.Fatalf("step %d: got %d, %v; want %d", i, got, err, s.want)
		}
	}
}

func TestConcurrentAskersShareOneCall(t *testing.T) {
	c := memo.New[string, string](memo.Options{TTL: time.Minute})
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	const askers = 50
	errs := make(chan error, askers)
	for range askers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.Get(context.Background(), "roles", func(context.Context) (string, error) {
				calls.Add(1)
				<-release
				return "answer", nil
			})
			if err == nil && v != "answer" {
				err = errors.New("wrong answer " + v)
			}
			errs <- err
		}()
	}
	// Let the askers pile up on the one call in flight before it answers.
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d upstream calls for %d askers at once, want 1", n, askers)
	}
}

func TestForgetDuringACallKeepsNothingStale(t *testing.T) {
	c := memo.New[string, int](memo.Options{TTL: time.Minute})
	v, _ := c.Get(context.Background(), "k", func(context.Context) (int, error) {
		c.Forget("k") // the answer changed upstream while it was being read
		return 1, nil
	})
	if v != 1 {
		t.Fatalf("got %d", v)
	}
	if c.Len() != 0 {
		t.Fatal("an answer read before a Forget was kept")
	}
}

func TestAnAskerGivingUpDoesNotFailTheOthers(t *testing.T) {
	c := memo.New[string, int](memo.Options{TTL: time.Minute})
	started := make(chan struct{})
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, "k", func(fctx context.Context) (int, error) {
			close(started)
			<-release
			return 7, fctx.Err()
		})
		first <- err
	}()
	<-started
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the asker that gave up got %v", err)
	}
	second := make(chan int, 1)
	go func() {
		v, _ := c.Get(context.Background(), "k", func(context.Context) (int, error) { return -1, nil })
		second <- v
	}()
	close(release)
	if v := <-second; v != 7 && v != -1 {
		t.Fatalf("second asker got %d", v)
	}
	if v, err := c.Get(context.Background(), "k", func(context.Context) (int, error) { return -2, nil }); err != nil || v != 7 {
		t.Fatalf("after the shared call: %d, %v; want the kept 7", v, err)
	}
}

func TestKeysAreBounded(t *testing.T) {
	c := memo.New[string, int](memo.Options{TTL: time.Minute, Max: 3})
	for i := range 10 {
		key := string(rune('a' + i))
		if _, err := c.Get(context.Background(), key, func(context.Context) (int, error) { return i, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != 3 {
		t.Fatalf("%d keys kept, want 3", n)
	}
}
