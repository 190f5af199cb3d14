package tokens

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"kaas/models"
)

// CacheOptions tunes the token cache. Zero values pick the defaults.
type CacheOptions struct {
	// MaxEntries bounds memory; past it a tenth of the entries are dropped. Default 200,000.
	MaxEntries int
	// MaxNegative bounds the unknown hashes remembered, so a spray of random tokens
	// cannot push real ones out. Default a quarter of MaxEntries.
	MaxNegative int
	// PositiveTTL is a backstop for a missed revocation notice. Default 5 minutes.
	PositiveTTL time.Duration
	// NegativeTTL is how long an unknown hash is remembered. Default 1 minute. A hash
	// cannot become known later unless someone guessed a 256-bit secret; still, every
	// token creation forgets the unknown hashes (Forget here, FlushNegative on the
	// other replicas), so a new token is never refused for having been looked up early.
	NegativeTTL time.Duration
	// MaxLoads caps the database lookups in flight at once. Lookups of one hash share
	// one query; beyond the cap a lookup waits for a free place (or its context), so a
	// spray of unknown tokens holds at most MaxLoads database connections while the
	// rest of the panel keeps the others. Default 4.
	MaxLoads int
	// LoadTimeout bounds one database lookup, shared by every caller waiting on it, so
	// that one caller giving up does not fail the others. Default 5 seconds.
	LoadTimeout time.Duration
	Now         func() time.Time
}

// Cache maps token hashes to token rows so that a TokenReview does not touch the
// database. Revocation (Invalidate) takes effect at once, including for a database read
// that was in flight when it happened.
type Cache struct {
	opts CacheOptions
	load func(ctx context.Context, h Hash) (*models.Token, error)

	mu     sync.RWMutex
	byHash map[Hash]cacheEntry
	byID   map[string]Hash
	nNeg   int    // negative entries in byHash
	gen    uint64 // bumped by every invalidation; a load started earlier is not stored
	sf     singleflight.Group
	loads  chan struct{} // a place for each lookup in flight
}

type cacheEntry struct {
	token   *models.Token // nil: no such token
	fetched time.Time
}

// NewCache returns a cache that loads misses with load, which returns a NOT_FOUND error
// for an unknown hash.
func NewCache(opts CacheOptions, load func(ctx context.Context, h Hash) (*models.Token, error)) *Cache {
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 200_000
	}
	if opts.MaxNegative <= 0 || opts.MaxNegative > opts.MaxEntries {
		opts.MaxNegative = opts.MaxEntries / 4
	}
	if opts.PositiveTTL <= 0 {
		opts.PositiveTTL = 5 * time.Minute
	}
	if opts.NegativeTTL <= 0 {
		opts.NegativeTTL = time.Minute
	}
	if opts.MaxLoads <= 0 {
		opts.MaxLoads = 4
	}
	if opts.LoadTimeout <= 0 {
		opts.LoadTimeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{opts: opts, load: load, byHash: map[Hash]cacheEntry{}, byID: map[string]Hash{},
		loads: make(chan struct{}, opts.MaxLoads)}
}

// Get returns the token with hash h, nil when there is none, and whether the answer came
// from memory.
func (c *Cache) Get(ctx context.Context, h Hash) (*models.Token, bool, error) {
	now := c.opts.Now()
	c.mu.RLock()
	e, ok := c.byHash[h]
	c.mu.RUnlock()
	if ok && c.fresh(e, now) {
		return e.token, true, nil
	}
	ch := c.sf.DoChan(string(h[:]), func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.LoadTimeout)
		defer cancel()
		select {
		case c.loads <- struct{}{}:
			defer func() { <-c.loads }()
		case <-lctx.Done():
			return nil, models.WrapError(models.CodeUnavailable, lctx.Err(), "too many token lookups are waiting for the database")
		}
		c.mu.RLock()
		gen := c.gen
		c.mu.RUnlock()
		t, err := c.load(lctx, h)
		if err != nil && models.ErrorCode(err) != models.CodeNotFound {
			return nil, err // errors are never remembered
		}
		if err != nil {
			t = nil
		}
		c.store(h, t, gen, now)
		return t, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, false, res.Err
		}
		return res.Val.(*models.Token), false, nil
	case <-ctx.Done():
		return nil, false, models.WrapError(models.CodeUnavailable, ctx.Err(), "the token lookup was abandoned")
	}
}

func (c *Cache) fresh(e cacheEntry, now time.Time) bool {
	ttl := c.opts.NegativeTTL
	if e.token != nil {
		ttl = c.opts.PositiveTTL
	}
	return now.Sub(e.fetched) < ttl
}

func (c *Cache) store(h Hash, t *models.Token, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // revoked while loading: do not resurrect
	}
	if t == nil && c.nNeg >= c.opts.MaxNegative {
		c.evictLocked(c.opts.MaxNegative/10+1, true)
	}
	if len(c.byHash) >= c.opts.MaxEntries {
		c.evictLocked(c.opts.MaxEntries/10+1, false)
	}
	if old, ok := c.byHash[h]; ok && old.token == nil {
		c.nNeg--
	}
	c.byHash[h] = cacheEntry{token: t, fetched: now}
	if t != nil {
		c.byID[t.ID] = h
	} else {
		c.nNeg++
	}
}

// evictLocked drops about n entries (only negative ones when negativeOnly).
func (c *Cache) evictLocked(n int, negativeOnly bool) {
	for h, e := range c.byHash {
		if n <= 0 {
			return
		}
		if negativeOnly && e.token != nil {
			continue
		}
		delete(c.byHash, h)
		if e.token != nil {
			delete(c.byID, e.token.ID)
		} else {
			c.nNeg--
		}
		n--
	}
}

// Invalidate forgets the token with the given ID.
func (c *Cache) Invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if h, ok := c.byID[id]; ok {
		delete(c.byHash, h)
		delete(c.byID, id)
	}
}

// Forget forgets that the hash was unknown; a load in flight is not stored.
func (c *Cache) Forget(h Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if e, ok := c.byHash[h]; ok && e.token == nil {
		delete(c.byHash, h)
		c.nNeg--
	}
}

// FlushNegative forgets every unknown hash, keeping the known tokens: a token was
// created on another replica. A load in flight is not stored.
func (c *Cache) FlushNegative() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for h, e := range c.byHash {
		if e.token == nil {
			delete(c.byHash, h)
		}
	}
	c.nNeg = 0
}

// Flush forgets everything; used when revocation notices may have been missed.
func (c *Cache) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.byHash = map[Hash]cacheEntry{}
	c.byID = map[string]Hash{}
	c.nNeg = 0
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byHash)
}
