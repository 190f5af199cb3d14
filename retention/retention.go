// Package retention prunes what would otherwise accumulate in the database forever:
// audit entries past their retention and tokens long expired. It runs in the background
// on one replica at a time.
package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Store is the database the pruner works on (store.DB).
type Store interface {
	// RunExclusive runs fn unless work of that name runs on another replica.
	RunExclusive(ctx context.Context, name string, fn func(context.Context) error) (bool, error)
	DeleteAuditBefore(ctx context.Context, cutoff time.Time) (int64, error)
	DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error)
}

// Options configures the pruner.
type Options struct {
	// AuditRetention is how long audit entries are kept; 0 keeps them forever.
	AuditRetention time.Duration
	// ExpiredTokenGrace is how long an expired token stays listed (as expired) before
	// it is deleted.
	ExpiredTokenGrace time.Duration
	// Interval is the time between passes. Default one hour.
	Interval time.Duration
	Now      func() time.Time
	Log      *slog.Logger
}

// Pruner deletes expired audit entries and tokens.
type Pruner struct {
	store Store
	opts  Options
}

// lockName is the RunExclusive name of a pruning pass.
const lockName = "retention-prune"

// New returns a pruner.
func New(store Store, opts Options) *Pruner {
	if opts.Interval <= 0 {
		opts.Interval = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Pruner{store: store, opts: opts}
}

// Run prunes at once and then every interval until ctx ends.
func (p *Pruner) Run(ctx context.Context) {
	t := time.NewTicker(p.opts.Interval)
	defer t.Stop()
	for {
		if _, err := p.PruneOnce(ctx); err != nil && ctx.Err() == nil {
			p.opts.Log.Warn("prune old audit entries and expired tokens", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Result tells whether a pass ran and counts what it deleted.
type Result struct {
	// Ran is false when another replica held the pass.
	Ran          bool
	AuditEntries int64
	Tokens       int64
}

// PruneOnce runs one pass unless another replica is running one.
func (p *Pruner) PruneOnce(ctx context.Context) (Result, error) {
	var res Result
	var err error
	res.Ran, err = p.store.RunExclusive(ctx, lockName, func(ctx context.Context) error {
		now := p.opts.Now().UTC()
		var err error
		if p.opts.AuditRetention > 0 {
			if res.AuditEntries, err = p.store.DeleteAuditBefore(ctx, now.Add(-p.opts.AuditRetention)); err != nil {
				return fmt.Errorf("prune audit entries: %w", err)
			}
		}
		if res.Tokens, err = p.store.DeleteExpiredTokens(ctx, now.Add(-p.opts.ExpiredTokenGrace)); err != nil {
			return fmt.Errorf("prune expired tokens: %w", err)
		}
		return nil
	})
	if res.AuditEntries > 0 || res.Tokens > 0 {
		p.opts.Log.Info("pruned old records", "audit_entries", res.AuditEntries, "expired_tokens", res.Tokens)
	}
	return res, err
}
