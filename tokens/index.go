package tokens

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"kaas/models"
)

// IndexStore is what the token index reads: every live token once, then the change log.
type IndexStore interface {
	// LiveTokens calls fn with every token not expired at now and returns the change
	// number they are current as of.
	LiveTokens(ctx context.Context, now time.Time, fn func(models.TokenKey)) (int64, error)
	// TokenChanges returns at most limit changes after seq, in order; CONFLICT when the
	// log no longer reaches back to seq.
	TokenChanges(ctx context.Context, after int64, limit int) ([]models.TokenChange, error)
}

// IndexOptions tunes an Index. Zero values pick the defaults.
type IndexOptions struct {
	// StaleWindow is how long after the index was last known current (the database
	// unreachable, its notices lost) known tokens keep authenticating. After it every
	// lookup is UNAVAILABLE. Default 30 minutes; negative means no window at all.
	StaleWindow time.Duration
	// InProcess says every token change goes through this process (SQLite): the index
	// is always current and never stale.
	InProcess bool
	// SyncInterval is how often the index catches up without a notice (a safety net, and
	// how it notices the database is back). Default 5 seconds.
	SyncInterval time.Duration
	Now          func() time.Time
	Log          *slog.Logger
}

// Live is a live token as the index holds it: what a review needs, and room for an
// answer about it rendered once by a consumer (the webhook), which goes when the token
// does.
type Live struct {
	ID      string
	UserID  string
	expires int64 // Unix nanoseconds
	memo    atomic.Value
}

// ExpiresAt returns when the token expires.
func (l *Live) ExpiresAt() time.Time { return time.Unix(0, l.expires) }

// Memo returns what SetMemo last stored, nil when nothing.
func (l *Live) Memo() any { return l.memo.Load() }

// SetMemo keeps v with the token; every value stored must have the same concrete type.
func (l *Live) SetMemo(v any) { l.memo.Store(v) }

// Token returns the token as a model, with the fields the index holds.
func (l *Live) Token() *models.Token {
	return &models.Token{ID: l.ID, UserID: l.UserID, ExpiresAt: l.ExpiresAt()}
}

// NewLive returns a Live for a token read from elsewhere than the index.
func NewLive(t *models.Token) *Live {
	return &Live{ID: t.ID, UserID: t.UserID, expires: t.ExpiresAt.UnixNano()}
}

// tombstoneTTL is how long a removed token's hash is remembered, so that a catch-up
// that read the token before its removal does not bring it back (it is far longer than
// any query may take), and so that it is refused, not unavailable, while the database is
// unreachable.
const tombstoneTTL = 10 * time.Minute

// changeBatch is how many changes one catch-up query reads.
const changeBatch = 1000

// Index holds every live token's hash, owner, expiry and ID in memory, so a review never
// asks the database: loaded once, then kept current by catching up from the change log
// on every notice, every SyncInterval, and when the notice connection is back. While the
// database is unreachable the index goes on answering for what it knew, for at most
// StaleWindow after it was last known current.
type Index struct {
	store IndexStore
	opts  IndexOptions

	mu      sync.RWMutex
	byHash  map[Hash]*Live
	users   map[string]string  // owner IDs, interned: many tokens share one
	removed map[Hash]time.Time // tokens removed lately (tombstones)
	seq     int64              // the last change applied
	loaded  bool
	// listening says notices flow (or every change is in-process): the index is current
	// now. Otherwise it is current as of currentAt.
	listening bool
	currentAt time.Time
	// connected says LISTEN is in effect on the notice connection; epoch counts the
	// connections, so a catch-up that began on a lost one does not count.
	connected bool
	epoch     uint64

	syncMu sync.Mutex // one catch-up or reload at a time
	// refreshed is when the last catch-up a review asked for ended (syncMu).
	refreshed time.Time
}

// NewIndex returns an empty index over store; Load fills it.
func NewIndex(store IndexStore, opts IndexOptions) *Index {
	if opts.StaleWindow == 0 {
		opts.StaleWindow = 30 * time.Minute
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Index{store: store, opts: opts, byHash: map[Hash]*Live{}, users: map[string]string{}, removed: map[Hash]time.Time{}}
}

// Load reads every live token, replacing what the index held.
func (x *Index) Load(ctx context.Context) error {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	return x.reloadLocked(ctx)
}

func (x *Index) reloadLocked(ctx context.Context) error {
	start := x.opts.Now()
	byHash := make(map[Hash]*Live, max(len(x.byHash), 1024))
	users := map[string]string{}
	seq, err := x.store.LiveTokens(ctx, start, func(k models.TokenKey) {
		if len(k.Hash) != len(Hash{}) {
			return
		}
		u, ok := users[k.UserID]
		if !ok {
			u = k.UserID
			users[u] = u
		}
		byHash[Hash(k.Hash)] = &Live{ID: k.ID, UserID: u, expires: k.ExpiresAt.UnixNano()}
	})
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for h := range x.removed {
		delete(byHash, h)
	}
	x.byHash, x.users, x.seq, x.loaded = byHash, users, seq, true
	x.confirmLocked(start)
	return nil
}

// confirmLocked records that the index was current at t.
func (x *Index) confirmLocked(t time.Time) {
	if t.After(x.currentAt) {
		x.currentAt = t
	}
	if x.opts.InProcess {
		x.listening = true
	}
}

// CatchUp applies the changes made since the last one applied, reloading everything
// when the change log no longer reaches back that far.
func (x *Index) CatchUp(ctx context.Context) error {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	return x.catchUpLocked(ctx)
}

// refreshTimeout bounds the catch-up a review runs while notices are not followed.
const refreshTimeout = time.Second

// refreshSpacing is the least time between the end of one catch-up a review asked for
// and the start of the next: reviews of unknown tokens arriving meanwhile wait for one
// catch-up together, so a spray of never-seen tokens costs one query per refreshSpacing,
// and a real one waits at most that long more.
const refreshSpacing = time.Millisecond

// refresh catches up for a review asked at asked, unless the index was confirmed current
// after it: concurrent reviews share one catch-up, and at most one runs at a time.
func (x *Index) refresh(ctx context.Context, asked time.Time) error {
	x.syncMu.Lock()
	defer x.syncMu.Unlock()
	x.mu.RLock()
	current := x.currentAt.After(asked)
	x.mu.RUnlock()
	if current {
		return nil
	}
	if wait := refreshSpacing - time.Since(x.refreshed); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	defer func() { x.refreshed = time.Now() }()
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	return x.catchUpLocked(ctx)
}

func (x *Index) catchUpLocked(ctx context.Context) error {
	start := x.opts.Now()
	x.mu.RLock()
	epoch, connected := x.epoch, x.connected
	x.mu.RUnlock()
	for {
		x.mu.RLock()
		seq, loaded := x.seq, x.loaded
		x.mu.RUnlock()
		if !loaded {
			return x.reloadLocked(ctx)
		}
		changes, err := x.store.TokenChanges(ctx, seq, changeBatch)
		if models.ErrorCode(err) == models.CodeConflict {
			x.opts.Log.Warn("token index: the change log was pruned past this replica; reloading every token")
			return x.reloadLocked(ctx)
		}
		if err != nil {
			return err
		}
		x.mu.Lock()
		for _, c := range changes {
			x.applyLocked(c, start)
		}
		if len(changes) < changeBatch {
			x.confirmLocked(start)
			if connected && x.connected && x.epoch == epoch {
				// Every change before start is applied, every later one is noticed.
				x.listening = true
			}
			x.mu.Unlock()
			return nil
		}
		x.mu.Unlock()
	}
}

func (x *Index) applyLocked(c models.TokenChange, now time.Time) {
	if c.Seq > x.seq {
		x.seq = c.Seq
	}
	if len(c.Token.Hash) != len(Hash{}) {
		return
	}
	h := Hash(c.Token.Hash)
	if c.Deleted {
		x.removeLocked(h, c.Token.ID, now)
		return
	}
	if !c.Exists || !c.Token.ExpiresAt.After(now) {
		return // deleted (its change follows) or expired since
	}
	x.putLocked(h, c.Token)
}

func (x *Index) putLocked(h Hash, k models.TokenKey) {
	if _, gone := x.removed[h]; gone {
		return
	}
	if l, ok := x.byHash[h]; ok && l.ID == k.ID {
		return // keep its memo
	}
	u, ok := x.users[k.UserID]
	if !ok {
		u = k.UserID
		x.users[u] = u
	}
	x.byHash[h] = &Live{ID: k.ID, UserID: u, expires: k.ExpiresAt.UnixNano()}
}

func (x *Index) removeLocked(h Hash, id string, now time.Time) {
	if l, ok := x.byHash[h]; ok && l.ID == id {
		delete(x.byHash, h)
	}
	x.removed[h] = now
}

// Put adds a token this process has just created.
func (x *Index) Put(t *models.Token) {
	if len(t.Hash) != len(Hash{}) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.putLocked(Hash(t.Hash), models.TokenKey{ID: t.ID, UserID: t.UserID, Hash: t.Hash, ExpiresAt: t.ExpiresAt})
}

// Remove drops a token this process has just deleted: it stops working at once.
func (x *Index) Remove(t *models.Token) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(t.Hash) == len(Hash{}) {
		x.removeLocked(Hash(t.Hash), t.ID, x.opts.Now())
		return
	}
	x.removeByIDLocked(t.ID)
}

// removeID drops the token with this ID, for a revocation notice that could not be
// followed by a catch-up: a scan of the index, which is rare.
func (x *Index) removeID(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeByIDLocked(id)
}

func (x *Index) removeByIDLocked(id string) {
	for h, l := range x.byHash {
		if l.ID == id {
			delete(x.byHash, h)
			x.removed[h] = x.opts.Now()
		}
	}
}

// Get looks a token up for a review (see lookup). With other replicas (not InProcess),
// an unknown token is looked up again after a catch-up from the change log that began
// after the review was asked: a token created on another replica a moment ago is
// committed before its notice arrives here, and kube-apiservers keep a refusal for their
// cache TTL. Concurrent reviews share one catch-up and at most one runs at a time, so a
// spray of never-seen tokens costs one small query per catch-up, not one per review.
// While notices are not followed the same holds for any token past the stale window;
// when the database does not answer, an unknown token is UNAVAILABLE, not refused.
func (x *Index) Get(ctx context.Context, h Hash) (*Live, error) {
	asked := x.opts.Now()
	l, err := x.lookup(h, asked)
	if l != nil || (err == nil && (x.opts.InProcess || x.revoked(h))) {
		// In process, every change went through this index already: unknown is unknown.
		return l, nil
	}
	if rerr := x.refresh(ctx, asked); rerr != nil {
		if err == nil {
			err = models.WrapError(models.CodeUnavailable, rerr, "the token store did not answer; an unknown token cannot be checked")
		}
		return nil, err
	}
	return x.lookup(h, asked)
}

// revoked reports whether the token was removed lately: refused without a catch-up.
func (x *Index) revoked(h Hash) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.removed[h]
	return ok
}

// lookup returns the live token with hash h, nil when there is none. It is UNAVAILABLE
// when the index is not loaded yet, when it may be missing a token (notices lost: a
// token created meanwhile elsewhere would be refused) for an unknown hash, and for any
// hash once StaleWindow has passed since it was last known current.
// An index confirmed current after asked is as good as one following the notices.
func (x *Index) lookup(h Hash, asked time.Time) (*Live, error) {
	x.mu.RLock()
	l, listening, loaded, at := x.byHash[h], x.listening, x.loaded, x.currentAt
	_, revoked := x.removed[h]
	x.mu.RUnlock()
	if listening && l != nil {
		return l, nil
	}
	switch {
	case !loaded:
		return nil, models.Errorf(models.CodeUnavailable, "the token index is not loaded yet")
	case listening, at.After(asked):
		return l, nil
	case x.opts.StaleWindow < 0 || x.opts.Now().Sub(at) > x.opts.StaleWindow:
		return nil, models.Errorf(models.CodeUnavailable, "the token store has been unreachable for longer than the stale window")
	case l == nil && revoked:
		return nil, nil // revoked before the outage
	case l == nil:
		return nil, models.Errorf(models.CodeUnavailable, "the token store is unreachable; an unknown token cannot be checked")
	}
	return l, nil
}

// Listening records that notices flow again (LISTEN took effect): it catches up first,
// and the index counts as current only once that worked.
func (x *Index) Listening(ctx context.Context) {
	x.mu.Lock()
	x.connected = true
	x.epoch++
	x.mu.Unlock()
	if err := x.CatchUp(ctx); err != nil {
		x.opts.Log.Warn("token index: catch up", "err", err)
	}
}

// Lost records that notices may be missed from now on (the notice connection is lost):
// the index is current as of now, and serves from memory within the stale window.
func (x *Index) Lost() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.opts.InProcess {
		return
	}
	if x.listening {
		x.confirmLocked(x.opts.Now())
	}
	x.listening, x.connected = false, false
	x.epoch++
}

// Revoked follows a revocation notice: it catches up, or removes the token by its ID
// when the database does not answer.
func (x *Index) Revoked(ctx context.Context, id string) {
	if err := x.CatchUp(ctx); err != nil {
		x.opts.Log.Warn("token index: catch up after a revocation", "err", err)
		x.removeID(id)
	}
}

// Run catches up every SyncInterval and drops expired tokens and old tombstones, until
// ctx ends.
func (x *Index) Run(ctx context.Context) {
	t := time.NewTicker(x.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := x.CatchUp(ctx); err != nil && ctx.Err() == nil {
			x.opts.Log.Warn("token index: catch up", "err", err)
		}
		x.sweep()
	}
}

// sweep drops expired tokens (refused anyway) and tombstones older than tombstoneTTL.
func (x *Index) sweep() {
	now := x.opts.Now()
	x.mu.Lock()
	defer x.mu.Unlock()
	for h, l := range x.byHash {
		if l.expires <= now.UnixNano() {
			delete(x.byHash, h)
		}
	}
	for h, at := range x.removed {
		if now.Sub(at) > tombstoneTTL {
			delete(x.removed, h)
		}
	}
}

// IndexState is what the metrics report about the index.
type IndexState struct {
	Tokens int
	// FromMemory says the database's changes are not followed now: the index answers
	// from what it knew, for at most the stale window.
	FromMemory bool
	// Unconfirmed is how long ago the index was last known current (0 while following).
	Unconfirmed time.Duration
}

// State reports the index's size and whether it serves from memory alone.
func (x *Index) State() IndexState {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := IndexState{Tokens: len(x.byHash), FromMemory: !x.listening}
	if !x.listening && x.loaded {
		s.Unconfirmed = x.opts.Now().Sub(x.currentAt)
	}
	return s
}

// Len returns the number of tokens held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byHash)
}
