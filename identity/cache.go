package identity

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"kaas/models"
)

// CacheOptions tunes the identity cache.
type CacheOptions struct {
	// TTL is how long a fetched identity is used before Keystone is asked again; a user
	// disabled or deleted in Keystone stops authenticating within it.
	TTL time.Duration
	// Stale is how long past TTL an identity is still served while Keystone is
	// unreachable. After that the cache fails closed.
	Stale time.Duration
	// RetryAfter spaces out fetches of one user while Keystone fails. Default 5 s.
	RetryAfter time.Duration
	// FetchTimeout bounds one fetch, whoever waits for it. Default 10 s.
	FetchTimeout time.Duration
	// MaxEntries bounds memory. Default 100,000.
	MaxEntries int
	Now        func() time.Time
	// OnFetch, when set, observes every Keystone fetch and its error.
	OnFetch func(err error)
	// OnStale, when set, is called when a stale identity is served.
	OnStale func()
}

// Cache keeps Keystone identities (user name and effective role IDs) in memory so that
// the TokenReview hot path does not call Keystone: at most one fetch per user per TTL,
// shared by concurrent callers.
type Cache struct {
	opts  CacheOptions
	fetch func(ctx context.Context, userID string) (models.Identity, error)

	mu      sync.RWMutex
	entries map[string]*identityEntry
	sf      singleflight.Group
}

type identityEntry struct {
	identity models.Identity
	gone     bool // deleted in Keystone
	fetched  time.Time
	retryAt  time.Time // after a failed fetch
	valid    bool      // identity holds a successful fetch
}

// NewCache returns a cache over fetch (Keystone.User).
func NewCache(opts CacheOptions, fetch func(ctx context.Context, userID string) (models.Identity, error)) *Cache {
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 5 * time.Second
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 10 * time.Second
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 100_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{opts: opts, fetch: fetch, entries: map[string]*identityEntry{}}
}

// Get returns the user's identity. A user deleted in Keystone is NOT_FOUND; a disabled
// one is returned with Enabled false. While Keystone is unreachable a known identity is
// served up to Stale past its TTL; then, or for an unknown user, the error is UNAVAILABLE.
func (c *Cache) Get(ctx context.Context, userID string) (models.Identity, error) {
	now := c.opts.Now()
	c.mu.RLock()
	e := c.entries[userID]
	var snapshot identityEntry
	if e != nil {
		snapshot = *e
	}
	c.mu.RUnlock()
	if e != nil && now.Sub(snapshot.fetched) < c.opts.TTL && (snapshot.valid || snapshot.gone) {
		return snapshot.result(userID)
	}
	if e != nil && now.Before(snapshot.retryAt) {
		return c.staleOr(snapshot, now, models.Errorf(models.CodeUnavailable, "Keystone is unreachable; try again in a moment"), userID)
	}
	_, err, _ := c.sf.Do(userID, func() (any, error) {
		// A flight that ended just before this one began may have stored a fresh
		// identity: use it rather than asking Keystone twice in one TTL.
		c.mu.RLock()
		e := c.entries[userID]
		fresh := e != nil && (e.valid || e.gone) && c.opts.Now().Sub(e.fetched) < c.opts.TTL
		c.mu.RUnlock()
		if fresh {
			return nil, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.FetchTimeout)
		defer cancel()
		id, err := c.fetch(fctx, userID)
		if c.opts.OnFetch != nil {
			c.opts.OnFetch(err)
		}
		// The entry is updated inside the flight, so nobody starts a second fetch between
		// this one's end and its result being visible.
		now := c.opts.Now()
		switch models.ErrorCode(err) {
		case "":
			c.put(userID, identityEntry{identity: id, fetched: now, valid: true})
		case models.CodeNotFound:
			c.put(userID, identityEntry{gone: true, fetched: now})
		default:
			c.mu.Lock()
			if e := c.entries[userID]; e != nil {
				e.retryAt = now.Add(c.opts.RetryAfter)
			} else {
				c.entries[userID] = &identityEntry{retryAt: now.Add(c.opts.RetryAfter)}
			}
			c.mu.Unlock()
		}
		return nil, err
	})
	c.mu.RLock()
	if e := c.entries[userID]; e != nil {
		snapshot = *e
	}
	c.mu.RUnlock()
	switch models.ErrorCode(err) {
	case "", models.CodeNotFound:
		return snapshot.result(userID)
	default:
		return c.staleOr(snapshot, c.opts.Now(), err, userID)
	}
}

func (c *Cache) staleOr(e identityEntry, now time.Time, err error, userID string) (models.Identity, error) {
	if (e.valid || e.gone) && now.Sub(e.fetched) < c.opts.TTL+c.opts.Stale {
		if c.opts.OnStale != nil {
			c.opts.OnStale()
		}
		return e.result(userID)
	}
	return models.Identity{}, err
}

func (e identityEntry) result(userID string) (models.Identity, error) {
	if e.gone {
		return models.Identity{}, models.Errorf(models.CodeNotFound, "Keystone user %s not found", userID)
	}
	if !e.valid {
		return models.Identity{}, models.Errorf(models.CodeUnavailable, "the identity of user %s is not known yet", userID)
	}
	return e.identity, nil
}

func (c *Cache) put(userID string, e identityEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[userID]; !ok && len(c.entries) >= c.opts.MaxEntries {
		n := c.opts.MaxEntries / 10
		for k := range c.entries {
			if n <= 0 {
				break
			}
			delete(c.entries, k)
			n--
		}
	}
	c.entries[userID] = &e
}

// Forget drops a user's identity, so the next Get asks Keystone (after a login, say).
func (c *Cache) Forget(userID string) {
	c.mu.Lock()
	delete(c.entries, userID)
	c.mu.Unlock()
}

// Put stores a freshly fetched identity (a login just returned it).
func (c *Cache) Put(id models.Identity) {
	c.put(id.UserID, identityEntry{identity: id, fetched: c.opts.Now(), valid: true})
}
