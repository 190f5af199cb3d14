package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/jobs"
	"kaas/models"
	"kaas/store"
)

// deadline bounds every wait; the tests poll, they never sleep and hope.
const deadline = 10 * time.Second

// forEachDialect runs a test against a fresh SQLite and a fresh PostgreSQL database.
var forEachDialect = testenv.ForEachDialect

// fakeClock is the real time moved by an adjustable offset, so a test can expire leases
// at once while tickers keep running.
type fakeClock struct{ offset atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *fakeClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// newEngine returns an engine with quick polls, for tests. Its lease is longer than any
// test: tests expire leases by moving a fakeClock, never by waiting on a loaded machine.
func newEngine(db *store.DB, worker string, opts jobs.Options) *jobs.Engine {
	if opts.Lease == 0 {
		opts.Lease = time.Minute
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 20 * time.Millisecond
	}
	return jobs.New(db, worker, opts)
}

// start runs e until the returned stop is called or the test ends.
func start(t *testing.T, e *jobs.Engine) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.Run(ctx)
		close(done)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(deadline):
				t.Error("engine did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitStatus waits until the job has status and returns it.
func waitStatus(t *testing.T, e *jobs.Engine, id string, status models.JobStatus) *models.Job {
	t.Helper()
	var job *models.Job
	eventually(t, fmt.Sprintf("job %s to be %s", id, status), func() bool {
		var err error
		job, err = e.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return job.Status == status
	})
	return job
}

// collect reads ch until it is closed.
func collect(t *testing.T, ch <-chan *models.JobEvent) []models.JobEvent {
	t.Helper()
	timeout := time.After(deadline)
	var evs []models.JobEvent
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return evs
			}
			evs = append(evs, *ev)
		case <-timeout:
			t.Fatalf("subscription not closed; got %d events", len(evs))
		}
	}
}

// allEvents returns every stored event of a job.
func allEvents(t *testing.T, e *jobs.Engine, id string) []models.JobEvent {
	t.Helper()
	evs, err := e.Events(context.Background(), id, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// assertSeqs checks that evs are numbered from, from+1, … without gaps or duplicates.
func assertSeqs(t *testing.T, evs []models.JobEvent, from int) {
	t.Helper()
	for i, ev := range evs {
		if ev.Seq != from+i {
			t.Fatalf("event %d has seq %d, want %d (seqs %v)", i, ev.Seq, from+i, seqs(evs))
		}
	}
}

func seqs(evs []models.JobEvent) []int {
	s := make([]int, len(evs))
	for i, ev := range evs {
		s[i] = ev.Seq
	}
	return s
}

// calls counts step runs by job and step.
type calls struct {
	mu    sync.Mutex
	n     map[string]int
	order []string
}

func (c *calls) add(jobID, step string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[jobID+"/"+step]++
	c.order = append(c.order, step)
	return c.n[jobID+"/"+step]
}

func (c *calls) get(jobID, step string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[jobID+"/"+step]
}

// counted is a step that only counts its runs.
func counted(c *calls, name string) jobs.Step[createArgs] {
	return jobs.Step[createArgs]{Name: name, Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
		c.add(j.Job().ID, name)
		return nil
	}}
}

// lockedBuffer collects an engine's log for a test to read.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
