package throttle

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(Options{Free: 3, Base: time.Second, Max: 8 * time.Second, HalfLife: time.Hour, Now: c.now})
	for i := 1; i <= 3; i++ {
		if _, ok := l.Attempt("u"); !ok {
			t.Fatalf("attempt %d refused within the free allowance", i)
		}
		if i < 3 && l.Wait("u") != 0 {
			t.Fatalf("attempt %d made the key wait", i)
		}
	}
	wantWaits := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, want := range wantWaits {
		wait, ok := l.Attempt("u")
		if ok || wait != want {
			t.Fatalf("step %d: Attempt = %v, %v; want a wait of %v", i, wait, ok, want)
		}
		c.advance(wait)
		if _, ok := l.Attempt("u"); !ok {
			t.Fatalf("step %d: refused after waiting %v", i, wait)
		}
	}
	if _, ok := l.Attempt("other"); !ok {
		t.Fatal("another key was throttled")
	}
}

func TestRefusedAttemptsDoNotProlongTheWait(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(Options{Free: 1, Base: 10 * time.Second, Max: time.Minute, HalfLife: time.Hour, Now: c.now})
	l.Attempt("u")
	for range 1000 {
		l.Attempt("u")
		c.advance(time.Millisecond)
	}
	if w := l.Wait("u"); w > 10*time.Second {
		t.Fatalf("hammering during the wait extended it to %v", w)
	}
}

func TestFailuresDecay(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(Options{Free: 2, Base: time.Second, Max: time.Minute, HalfLife: time.Minute, Now: c.now})
	l.Attempt("u")
	l.Attempt("u") // score 2: waits 1 s
	c.advance(3 * time.Minute)
	if _, ok := l.Attempt("u"); !ok {
		t.Fatal("refused after three half-lives")
	}
	if l.Wait("u") != 0 {
		t.Fatal("one failure after the decay made the key wait")
	}
}

func TestSucceededResetsOrRefunds(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(Options{Free: 2, Base: time.Second, Max: time.Minute, HalfLife: time.Hour, Now: c.now})
	l.Attempt("u")
	l.Attempt("u")
	l.Succeeded("u", true)
	if l.Wait("u") != 0 {
		t.Fatal("a reset key still waits")
	}
	l.Attempt("a")
	l.Attempt("a")
	l.Succeeded("a", false)
	if l.Wait("a") != 0 {
		t.Fatal("a refunded attempt still makes the key wait")
	}
	if _, ok := l.Attempt("a"); !ok || l.Wait("a") == 0 {
		t.Fatal("the earlier failure was forgotten by a refund")
	}
}

func TestMemoryIsBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(Options{Free: 5, MaxKeys: 100, Now: c.now})
	for i := range 1000 {
		l.Attempt(string(rune(i)))
	}
	if n := len(l.keys); n > 100 {
		t.Fatalf("%d keys kept; at most 100", n)
	}
}
