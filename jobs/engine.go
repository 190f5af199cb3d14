package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"kaas/models"
	"kaas/store"
)

// Database is what the engine needs of the panel's database; *store.DB is one.
type Database interface {
	Gorm() *gorm.DB
	Dialect() store.Dialect
	// Listen relays PostgreSQL notices to the engine (other replicas' events and jobs).
	Listen(ctx context.Context, l store.Listener, log *slog.Logger) error
	// Transaction runs fn in a transaction, again after a serialization failure.
	Transaction(ctx context.Context, fn func(tx *gorm.DB) error) error
}

// Clock tells the time. Lease expiry is judged by it, so a test can expire a dead
// worker's lease by moving a fake clock instead of waiting.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Options tunes an engine. Zero fields take the defaults.
type Options struct {
	// Lease is how long a claimed job stays with its worker without renewal: the time
	// another worker waits before resuming the job of a dead one. Default 30s.
	Lease time.Duration
	// PollInterval is how often an idle worker looks for jobs and a busy one renews its
	// lease and checks for a cancel request. Default 1s.
	PollInterval time.Duration
	// Workers is how many jobs the engine runs at once; zero defaults to 1 and a negative
	// value runs none (the engine then only relays events to subscribers).
	Workers int
	// StepTimeout bounds steps that set no Timeout. Default 10 minutes.
	StepTimeout time.Duration
	// SubscriberBuffer is how many events a subscriber may fall behind before it is
	// dropped. Default 256.
	SubscriberBuffer int
	// PauseAfterStep, for fault-injection tests only, holds each step open after its work
	// and before its completion is recorded, announcing it with a "paused" event: a
	// process killed then must redo the step, which must not repeat its side effects.
	PauseAfterStep time.Duration
	Clock          Clock
	Logger         *slog.Logger
}

// Engine runs durable jobs: it claims them from the database with a lease, runs their
// steps in order, persists progress after every step and streams their events to
// subscribers. Several engines (replicas) may share one PostgreSQL database.
type Engine struct {
	db       Database
	gorm     *gorm.DB
	postgres bool
	workerID string
	opts     Options
	clock    Clock
	log      *slog.Logger
	hub      *hub
	// listening is set once the PostgreSQL listener's LISTEN has taken effect (and every
	// subscriber was made to re-read the database for what it may have missed).
	listening atomic.Bool

	mu      sync.RWMutex
	kinds   map[string]Worker
	running map[string]*runHandle // job ID → its run here, to cancel at once

	wakeMu sync.Mutex
	wakeCh chan struct{}
}

// New returns an engine on db whose leases name workerID (a replica's host name or
// similar, for operators reading the jobs table).
func New(db Database, workerID string, opts Options) *Engine {
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Workers == 0 {
		opts.Workers = 1
	}
	if opts.StepTimeout <= 0 {
		opts.StepTimeout = 10 * time.Minute
	}
	if opts.SubscriberBuffer <= 0 {
		opts.SubscriberBuffer = 256
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		db:       db,
		gorm:     db.Gorm(),
		postgres: db.Dialect() == store.Postgres,
		workerID: workerID,
		opts:     opts,
		clock:    opts.Clock,
		log:      opts.Logger.With("worker", workerID),
		kinds:    map[string]Worker{},
		running:  map[string]*runHandle{},
		wakeCh:   make(chan struct{}),
	}
	e.hub = newHub(e)
	return e
}

// Register adds the worker of a job kind. It panics on a duplicate kind or an empty
// step list, which are programming errors.
func (e *Engine) Register(w Worker) {
	e.mu.Lock()
	defer e.mu.Unlock()
	kind := w.Kind()
	if _, dup := e.kinds[kind]; dup || len(w.Steps()) == 0 || kind == "" {
		panic(fmt.Sprintf("jobs: bad or duplicate registration of kind %q", kind))
	}
	e.kinds[kind] = w
}

func (e *Engine) worker(kind string) (Worker, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	w, ok := e.kinds[kind]
	return w, ok
}

func (e *Engine) registeredKinds() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	kinds := make([]string, 0, len(e.kinds))
	for k := range e.kinds {
		kinds = append(kinds, k)
	}
	return kinds
}

// now is the clock's time in UTC at PostgreSQL's precision, so that SQLite's textual
// timestamps compare in time order and both dialects store the same value.
func (e *Engine) now() time.Time { return e.clock.Now().UTC().Truncate(time.Microsecond) }

// Run claims and runs jobs until ctx ends, then waits for its workers to stop. A step
// still running when ctx ends is abandoned, not failed: its lease expires and a worker
// (of this or another replica) runs it again. With PostgreSQL it also relays other
// replicas' job events to this engine's subscribers.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if e.postgres {
		wg.Go(func() { e.listen(ctx) })
	}
	for i := 0; i < e.opts.Workers; i++ {
		wg.Go(func() { e.work(ctx) })
	}
	wg.Wait()
	return nil
}

// wake tells idle workers that a job may be claimable.
func (e *Engine) wake() {
	e.wakeMu.Lock()
	close(e.wakeCh)
	e.wakeCh = make(chan struct{})
	e.wakeMu.Unlock()
}

func (e *Engine) wakeChan() <-chan struct{} {
	e.wakeMu.Lock()
	defer e.wakeMu.Unlock()
	return e.wakeCh
}

func (e *Engine) work(ctx context.Context) {
	for ctx.Err() == nil {
		woken := e.wakeChan()
		job, owner, err := e.claim(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("claim a job", "err", err)
		}
		if job != nil {
			e.runJob(ctx, job, owner)
			continue
		}
		t := time.NewTimer(e.opts.PollInterval)
		select {
		case <-ctx.Done():
		case <-woken:
		case <-t.C:
		}
		t.Stop()
	}
}

// claim takes one claimable job — queued, or running with an expired lease — and leases
// it to a new run of this worker. It returns a nil job when there is none.
func (e *Engine) claim(ctx context.Context) (*models.Job, string, error) {
	kinds := e.registeredKinds()
	if len(kinds) == 0 {
		return nil, "", nil
	}
	now := e.now()
	owner := e.workerID + "/" + uuid.NewString()[:8]
	claimable := "kind IN ? AND (status = ? OR (status = ? AND lease_expires_at < ?))"
	args := []any{kinds, models.JobQueued, models.JobRunning, now}
	set := map[string]any{
		"status":           models.JobRunning,
		"lease_owner":      owner,
		"lease_expires_at": now.Add(e.opts.Lease),
		"attempts":         gorm.Expr("attempts + 1"),
		"started_at":       gorm.Expr("COALESCE(started_at, ?)", now),
		"updated_at":       now,
	}
	db := e.gorm.WithContext(ctx)
	var claimed string
	if e.postgres {
		// Row locks let replicas claim side by side: each skips the rows another is taking.
		err := e.db.Transaction(ctx, func(tx *gorm.DB) error {
			claimed = ""
			var ids []string
			err := tx.Raw("SELECT id FROM jobs WHERE "+claimable+" ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED", args...).
				Scan(&ids).Error
			if err != nil || len(ids) == 0 {
				return err
			}
			claimed = ids[0]
			return tx.Model(&models.Job{}).Where("id = ?", claimed).Updates(set).Error
		})
		if err != nil {
			return nil, "", fmt.Errorf("claim: %w", err)
		}
	} else {
		// SQLite has a single writer: a conditional UPDATE is the claim, and losing the
		// race to another engine on the same file shows as no row affected.
		var ids []string
		err := db.Model(&models.Job{}).Where(claimable, args...).Order("created_at, id").Limit(5).Pluck("id", &ids).Error
		if err != nil {
			return nil, "", fmt.Errorf("find claimable jobs: %w", err)
		}
		for _, id := range ids {
			res := db.Model(&models.Job{}).Where("id = ? AND ("+claimable+")", append([]any{id}, args...)...).Updates(set)
			if res.Error != nil {
				return nil, "", fmt.Errorf("claim: %w", res.Error)
			}
			if res.RowsAffected == 1 {
				claimed = id
				break
			}
		}
	}
	if claimed == "" {
		return nil, "", nil
	}
	var job models.Job
	if err := db.Where("id = ?", claimed).Take(&job).Error; err != nil {
		return nil, "", fmt.Errorf("read claimed job: %w", err)
	}
	return &job, owner, nil
}

// errLeaseLost stops a run whose job another worker has taken over.
var errLeaseLost = errors.New("lease lost to another worker")

// errCancelRequested stops a run whose job an operator cancelled.
var errCancelRequested = errors.New("cancel requested")
