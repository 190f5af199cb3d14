// Package throttle slows down password guessing: it counts failed attempts per key (a
// user, a client address) and makes each key wait, with a delay that doubles with every
// failure past a free allowance and is capped, while the count itself is forgotten with
// time (it halves every half-life). There is no permanent lock: the longest wait anyone
// can cause is the cap.
package throttle

import (
	"math"
	"sync"
	"time"
)

// Options tunes a limiter.
type Options struct {
	// Free is how many failures in a row pass before waits begin.
	Free int
	// Base is the first wait; each further failure doubles it. Default 1 s.
	Base time.Duration
	// Max caps the wait. Default 15 min.
	Max time.Duration
	// HalfLife is the time in which half of the counted failures are forgotten.
	// Default 10 min.
	HalfLife time.Duration
	// MaxKeys bounds memory; the quietest keys are dropped first. Default 100,000.
	MaxKeys int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Limiter counts failures per key. It is safe for concurrent use.
type Limiter struct {
	opts Options

	mu   sync.Mutex
	keys map[string]*state
}

type state struct {
	score float64   // failures, decayed
	at    time.Time // when score was last decayed
	until time.Time // no attempt before
}

// New returns a limiter.
func New(opts Options) *Limiter {
	if opts.Free < 1 {
		opts.Free = 5
	}
	if opts.Base <= 0 {
		opts.Base = time.Second
	}
	if opts.Max <= 0 {
		opts.Max = 15 * time.Minute
	}
	if opts.HalfLife <= 0 {
		opts.HalfLife = 10 * time.Minute
	}
	if opts.MaxKeys <= 0 {
		opts.MaxKeys = 100_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Limiter{opts: opts, keys: map[string]*state{}}
}

// Attempt asks whether an attempt under key may go ahead now. When it may, it is counted
// as a failure at once (so a burst of parallel guesses is counted before any answer
// comes) and ok is true; call Succeeded if it turns out right. Otherwise wait is how long
// the key must wait, and nothing is counted.
func (l *Limiter) Attempt(key string) (wait time.Duration, ok bool) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.keys[key]
	if s == nil {
		l.makeRoom(now)
		s = &state{at: now}
		l.keys[key] = s
	}
	s.decay(now, l.opts.HalfLife)
	if now.Before(s.until) {
		return s.until.Sub(now), false
	}
	s.score++
	if n := int(math.Round(s.score)) - l.opts.Free; n >= 0 {
		s.until = now.Add(l.delay(n))
	}
	return 0, true
}

// Wait returns how long key must wait before its next attempt, without counting one.
func (l *Limiter) Wait(key string) time.Duration {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.keys[key]; s != nil && now.Before(s.until) {
		return s.until.Sub(now)
	}
	return 0
}

// Succeeded takes back the failure Attempt counted for key; reset forgets the key's
// earlier failures too (a user who got their password right).
func (l *Limiter) Succeeded(key string, reset bool) {
	now := l.opts.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.keys[key]
	if s == nil {
		return
	}
	if reset {
		delete(l.keys, key)
		return
	}
	s.decay(now, l.opts.HalfLife)
	s.score = math.Max(0, s.score-1)
	if int(math.Round(s.score)) < l.opts.Free {
		s.until = time.Time{}
	}
}

func (l *Limiter) delay(n int) time.Duration {
	if n > 30 {
		return l.opts.Max
	}
	return min(l.opts.Base<<n, l.opts.Max)
}

func (s *state) decay(now time.Time, halfLife time.Duration) {
	if el := now.Sub(s.at); el > 0 {
		s.score *= math.Exp2(-float64(el) / float64(halfLife))
		s.at = now
	}
}

// makeRoom drops keys that are forgotten (nearly zero, not waiting) and, when that is not
// enough, the quietest tenth.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.keys) < l.opts.MaxKeys {
		return
	}
	for k, s := range l.keys {
		s.decay(now, l.opts.HalfLife)
		if s.score < 0.5 && !now.Before(s.until) {
			delete(l.keys, k)
		}
	}
	for k, s := range l.keys {
		if len(l.keys) < l.opts.MaxKeys*9/10 {
			break
		}
		if !now.Before(s.until) {
			delete(l.keys, k)
		}
	}
}
