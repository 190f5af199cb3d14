// Package memo keeps the answers of upstream calls that rarely change (Keystone's role
// list, a cluster's ClusterRoles) for a short time and shares one call among concurrent
// askers, so a burst of requests costs one upstream call instead of one each.
package memo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// fetchTimeout bounds a shared call: it runs detached from the first asker's context, so
// one asker giving up does not fail the others.
const fetchTimeout = 30 * time.Second

// Cache remembers successful answers by key for TTL; errors are never remembered. At most
// Max keys are kept (the oldest answers go first).
type Cache[K comparable, V any] struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[K]entry[V]
	gen     uint64 // bumped by Forget: an answer fetched before it is not kept
	flights singleflight.Group
}

type entry[V any] struct {
	value V
	at    time.Time
}

// Options configure a Cache.
type Options struct {
	// TTL is how long an answer is served; 0 or less disables remembering (calls are
	// still shared while in flight).
	TTL time.Duration
	// Max bounds the number of keys kept (default 1024).
	Max int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New returns an empty cache.
func New[K comparable, V any](opts Options) *Cache[K, V] {
	if opts.Max <= 0 {
		opts.Max = 1024
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache[K, V]{ttl: opts.TTL, max: opts.Max, now: opts.Now, entries: map[K]entry[V]{}}
}

// Get returns key's remembered answer, or calls fetch once for every concurrent asker
// of key and remembers a successful answer.
func (c *Cache[K, V]) Get(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	return c.GetWithin(ctx, key, c.ttl, fetch)
}

// GetWithin is Get for a caller that needs an answer younger than maxAge (at most the
// TTL): one that knows the remembered answer lacks something asks for a newer one, and
// concurrent such askers still share one call.
func (c *Cache[K, V]) GetWithin(ctx context.Context, key K, maxAge time.Duration, fetch func(context.Context) (V, error)) (V, error) {
	maxAge = min(maxAge, c.ttl)
	if v, ok := c.fresh(key, maxAge); ok {
		return v, nil
	}
	ch := c.flights.DoChan(flightKey(key), func() (any, error) {
		// A call that ended between the check above and this one has stored its answer.
		if v, ok := c.fresh(key, maxAge); ok {
			return v, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), fetchTimeout)
		defer cancel()
		started, gen := c.now(), c.generation()
		v, err := fetch(fctx)
		if err == nil {
			c.store(key, v, started, gen)
		}
		return v, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			var zero V
			return zero, r.Err
		}
		return r.Val.(V), nil
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// Forget drops key's answer: the next Get calls upstream.
func (c *Cache[K, V]) Forget(key K) {
	c.mu.Lock()
	delete(c.entries, key)
	c.gen++
	c.mu.Unlock()
	c.flights.Forget(flightKey(key))
}

// ForgetAll drops every answer.
func (c *Cache[K, V]) ForgetAll() {
	c.mu.Lock()
	clear(c.entries)
	c.gen++
	c.mu.Unlock()
}

// flightKey names key's call in flight; only misses pay for it.
func flightKey[K comparable](key K) string {
	if s, ok := any(key).(string); ok {
		return s
	}
	return fmt.Sprint(key)
}

// Len reports how many answers are kept.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *Cache[K, V]) fresh(key K, maxAge time.Duration) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().Sub(e.at) >= maxAge {
		var zero V
		return zero, false
	}
	return e.value, true
}

func (c *Cache[K, V]) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// store keeps v as fetched at started (not at its end: an answer is never served longer
// than TTL after the upstream call began), unless a Forget came after the call began.
func (c *Cache[K, V]) store(key K, v V, started time.Time, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		c.evict()
	}
	c.entries[key] = entry[V]{value: v, at: started}
}

// evict drops expired answers, or the oldest one when none has expired.
func (c *Cache[K, V]) evict() {
	now := c.now()
	var oldest K
	var oldestAt time.Time
	found := false
	for k, e := range c.entries {
		if now.Sub(e.at) >= c.ttl {
			delete(c.entries, k)
			continue
		}
		if !found || e.at.Before(oldestAt) {
			oldest, oldestAt, found = k, e.at, true
		}
	}
	if found && len(c.entries) >= c.max {
		delete(c.entries, oldest)
	}
}
