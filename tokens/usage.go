package tokens

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"kaas/models"
)

// UsageRecorder collects token uses in memory and writes the latest use of each token in
// one batch per interval, so accepting a token never writes to the database.
type UsageRecorder struct {
	write    func(ctx context.Context, uses []models.TokenUse) error
	interval time.Duration
	log      *slog.Logger

	// Resolution, when positive, bounds how often one token's use is written: a use on
	// the same cluster less than Resolution after the last one written for the token is
	// not written again, so a token reviewed many times a second costs one row update a
	// Resolution rather than one a flush. The last use shown is then at most Resolution
	// old. Set it before Run.
	Resolution time.Duration

	mu      sync.Mutex
	pending map[string]models.TokenUse
	written map[string]models.TokenUse // the last use written of each token, within Resolution
}

// NewUsageRecorder returns a recorder that flushes through write every interval.
func NewUsageRecorder(write func(context.Context, []models.TokenUse) error, interval time.Duration, log *slog.Logger) *UsageRecorder {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	return &UsageRecorder{write: write, interval: interval, log: log, pending: map[string]models.TokenUse{}, written: map[string]models.TokenUse{}}
}

// Record notes a use; it never blocks on the database.
func (u *UsageRecorder) Record(use models.TokenUse) {
	u.mu.Lock()
	if w, ok := u.written[use.TokenID]; ok && u.Resolution > 0 && (use.Cluster == "" || use.Cluster == w.Cluster) &&
		use.At.Sub(w.At) < u.Resolution {
		u.mu.Unlock()
		return
	}
	if prev, ok := u.pending[use.TokenID]; !ok || use.At.After(prev.At) {
		if use.Cluster == "" && ok {
			use.Cluster = prev.Cluster
		}
		u.pending[use.TokenID] = use
	}
	u.mu.Unlock()
}

// Run flushes every interval until ctx ends, then flushes once more.
func (u *UsageRecorder) Run(ctx context.Context) {
	t := time.NewTicker(u.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			u.Flush(fctx)
			cancel()
			return
		case <-t.C:
			u.Flush(ctx)
		}
	}
}

// Flush writes what has been recorded. On failure the uses are kept for the next try
// unless newer ones arrived.
func (u *UsageRecorder) Flush(ctx context.Context) {
	u.mu.Lock()
	if len(u.pending) == 0 {
		u.mu.Unlock()
		return
	}
	batch := make([]models.TokenUse, 0, len(u.pending))
	for _, use := range u.pending {
		batch = append(batch, use)
	}
	u.pending = map[string]models.TokenUse{}
	u.mu.Unlock()
	if err := u.write(ctx, batch); err != nil {
		u.log.Warn("record token uses", "err", err, "uses", len(batch))
		for _, use := range batch {
			u.Record(use)
		}
		return
	}
	if u.Resolution <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	var latest time.Time
	for _, use := range batch {
		if w, ok := u.written[use.TokenID]; ok && use.Cluster == "" {
			use.Cluster = w.Cluster
		}
		u.written[use.TokenID] = use
		if use.At.After(latest) {
			latest = use.At
		}
	}
	for id, w := range u.written {
		if latest.Sub(w.At) >= u.Resolution {
			delete(u.written, id)
		}
	}
}
