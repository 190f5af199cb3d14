package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kaas/jobs"
	"kaas/models"
	"kaas/store"
)

// createArgs are the arguments of the test jobs.
type createArgs struct {
	Cluster string `json:"cluster"`
}

func (createArgs) Kind() string { return "cluster.create" }

func TestStepsRunInOrderExactlyOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var c calls
		var gotArgs createArgs
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker([]jobs.Step[createArgs]{
			{Name: "validate", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				c.add(j.Job().ID, "validate")
				gotArgs = j.Args
				return nil
			}},
			{Name: "infrastructure", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				c.add(j.Job().ID, "infrastructure")
				j.Progress(50, "servers up")
				j.Log(models.EventWarn, "slow load balancer")
				return nil
			}},
			counted(&c, "ready"),
		}...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{Cluster: "prod"}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		done := waitStatus(t, e, job.ID, models.JobSucceeded)

		if got := strings.Join(c.order, ","); got != "validate,infrastructure,ready" {
			t.Errorf("steps ran %s", got)
		}
		if gotArgs.Cluster != "prod" {
			t.Errorf("args = %+v", gotArgs)
		}
		if done.Step != 3 || done.StepName != "" || done.Percent != 100 || done.Attempts != 1 ||
			done.LeaseOwner != "" || done.StartedAt == nil || done.FinishedAt == nil || done.CreatedBy != "oscar" {
			t.Errorf("finished job = %+v", done)
		}
		evs := allEvents(t, e, job.ID)
		assertSeqs(t, evs, 1)
		var progress *models.JobEvent
		for i, ev := range evs {
			if ev.Message == "servers up" {
				progress = &evs[i]
			}
		}
		// The second of three steps at half way is half the job.
		if progress == nil || progress.Step != "infrastructure" || progress.Percent != 50 || progress.Status != models.JobRunning {
			t.Errorf("progress event = %+v", progress)
		}
		if last := evs[len(evs)-1]; last.Status != models.JobSucceeded || last.Percent != 100 {
			t.Errorf("last event = %+v", last)
		}
		for i, ev := range evs[:len(evs)-1] {
			if ev.Status.Final() {
				t.Errorf("event %d before the last is final: %+v", i, ev)
			}
		}
	})
}

func TestFailedStepIsRetriedFromThatStep(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var c calls
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker([]jobs.Step[createArgs]{
			counted(&c, "one"),
			{Name: "two", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				if c.add(j.Job().ID, "two") == 1 {
					return errors.New("keystone: 503 Service Unavailable")
				}
				return nil
			}},
			counted(&c, "three"),
		}...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		failed := waitStatus(t, e, job.ID, models.JobFailed)
		if failed.Step != 1 || failed.StepName != "two" || !strings.Contains(failed.Error, "503") || failed.FinishedAt == nil {
			t.Errorf("failed job = %+v", failed)
		}
		evs := allEvents(t, e, job.ID)
		if last := evs[len(evs)-1]; last.Level != models.EventError || last.Status != models.JobFailed || last.Step != "two" {
			t.Errorf("failure event = %+v", last)
		}
		if _, err := e.Retry(ctx, "no-such-job"); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("retry unknown job: %v", err)
		}

		if _, err := e.Retry(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		done := waitStatus(t, e, job.ID, models.JobSucceeded)
		for step, want := range map[string]int{"one": 1, "two": 2, "three": 1} {
			if got := c.get(job.ID, step); got != want {
				t.Errorf("step %s ran %d times, want %d", step, got, want)
			}
		}
		if done.Attempts != 2 || done.Error != "" {
			t.Errorf("retried job = %+v", done)
		}
		assertSeqs(t, allEvents(t, e, job.ID), 1)
		if _, err := e.Retry(ctx, job.ID); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("retry a succeeded job: %v, want CONFLICT", err)
		}
	})
}

func TestStepTimeoutFailsTheJob(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker([]jobs.Step[createArgs]{{Name: "wait for api", Timeout: 50 * time.Millisecond,
			Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				<-ctx.Done()
				return ctx.Err()
			}}}...))
		start(t, e)
		job, err := e.Enqueue(context.Background(), createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		failed := waitStatus(t, e, job.ID, models.JobFailed)
		if !strings.Contains(failed.Error, "wait for api timed out after 50ms") {
			t.Errorf("error = %q", failed.Error)
		}
	})
}

func TestDeadWorkersJobResumesOnAnother(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := &fakeClock{}
		var (
			c           calls
			mu          sync.Mutex
			markers     = map[string]bool{} // what "two" created, e.g. a Keystone role
			sideEffects atomic.Int32
			entered     = make(chan struct{})
		)
		steps := []jobs.Step[createArgs]{
			counted(&c, "one"),
			{Name: "two", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				n := c.add(j.Job().ID, "two")
				mu.Lock()
				if !markers[j.Job().ID] { // idempotent: create only what is missing
					markers[j.Job().ID] = true
					sideEffects.Add(1)
				}
				mu.Unlock()
				if n == 1 { // the first worker dies here
					close(entered)
					<-ctx.Done()
					return ctx.Err()
				}
				return nil
			}},
			counted(&c, "three"),
		}
		// A lease far longer than the test: only the clock can expire it.
		opts := jobs.Options{Clock: clock, Lease: time.Minute}
		a := newEngine(db, "a", opts)
		a.Register(jobs.NewWorker(steps...))
		b := newEngine(db, "b", opts)
		b.Register(jobs.NewWorker(steps...))

		stopA := start(t, a)
		job, err := a.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-entered:
		case <-time.After(deadline):
			t.Fatal("step two never started")
		}
		stopA()
		orphan, err := b.Get(ctx, job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if orphan.Status != models.JobRunning || orphan.Step != 1 || !strings.HasPrefix(orphan.LeaseOwner, "a/") {
			t.Fatalf("after a died: %+v", orphan)
		}

		start(t, b)
		// b leaves the job alone while a's lease holds…
		time.Sleep(100 * time.Millisecond)
		if j, _ := b.Get(ctx, job.ID); !strings.HasPrefix(j.LeaseOwner, "a/") {
			t.Fatalf("b took the job before a's lease expired: %+v", j)
		}
		clock.Advance(2 * time.Minute) // …and resumes it once the lease expires.
		done := waitStatus(t, b, job.ID, models.JobSucceeded)

		for step, want := range map[string]int{"one": 1, "two": 2, "three": 1} {
			if got := c.get(job.ID, step); got != want {
				t.Errorf("step %s ran %d times, want %d", step, got, want)
			}
		}
		if n := sideEffects.Load(); n != 1 {
			t.Errorf("side effect happened %d times", n)
		}
		if done.Attempts != 2 {
			t.Errorf("attempts = %d", done.Attempts)
		}
		evs := allEvents(t, b, job.ID)
		assertSeqs(t, evs, 1)
		resumed := false
		for _, ev := range evs {
			resumed = resumed || strings.HasPrefix(ev.Message, "resumed at step 2 of 3 by b")
		}
		if !resumed {
			t.Errorf("no resume event in %+v", evs)
		}
	})
}

func TestLeaseRenewalKeepsALongStepWithItsWorker(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var c calls
		entered, release := make(chan struct{}), make(chan struct{})
		steps := []jobs.Step[createArgs]{{Name: "slow", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
			if c.add(j.Job().ID, "slow") == 1 {
				close(entered)
			}
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}}}
		clock := &fakeClock{}
		opts := jobs.Options{Lease: time.Minute, Clock: clock}
		a, b := newEngine(db, "a", opts), newEngine(db, "b", opts)
		a.Register(jobs.NewWorker(steps...))
		b.Register(jobs.NewWorker(steps...))
		job, err := a.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		start(t, a)
		start(t, b)
		unblock := sync.OnceFunc(func() { close(release) })
		t.Cleanup(unblock)
		select {
		case <-entered:
		case <-time.After(deadline):
			t.Fatal("the step never started")
		}
		// Three times two thirds of a lease pass during the step; each time its worker
		// renews the lease before it runs out, so the other engine never takes the job.
		for range 3 {
			clock.Advance(40 * time.Second)
			eventually(t, "the lease to be renewed", func() bool {
				j, err := a.Get(ctx, job.ID)
				return err == nil && j.LeaseExpiresAt != nil && j.LeaseExpiresAt.After(clock.Now().Add(50*time.Second))
			})
		}
		unblock()
		done := waitStatus(t, a, job.ID, models.JobSucceeded)
		if n := c.get(job.ID, "slow"); n != 1 || done.Attempts != 1 {
			t.Errorf("slow step ran %d times in %d attempts", n, done.Attempts)
		}
	})
}

func TestTwoEnginesNeverRunAJobConcurrently(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var (
			c        calls
			inflight sync.Map // job ID → *atomic.Int32
			overlaps atomic.Int32
		)
		step := func(name string) jobs.Step[createArgs] {
			return jobs.Step[createArgs]{Name: name, Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				n, _ := inflight.LoadOrStore(j.Job().ID, new(atomic.Int32))
				if n.(*atomic.Int32).Add(1) > 1 {
					overlaps.Add(1)
				}
				defer n.(*atomic.Int32).Add(-1)
				c.add(j.Job().ID, name)
				time.Sleep(time.Millisecond) // widen the window for a double claim
				return nil
			}}
		}
		steps := []jobs.Step[createArgs]{step("one"), step("two"), step("three")}
		a := newEngine(db, "a", jobs.Options{Workers: 2})
		b := newEngine(db, "b", jobs.Options{Workers: 2})
		a.Register(jobs.NewWorker(steps...))
		b.Register(jobs.NewWorker(steps...))
		var ids []string
		for i := 0; i < 20; i++ {
			job, err := a.Enqueue(ctx, createArgs{Cluster: fmt.Sprint("c", i)}, "oscar")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, job.ID)
		}
		start(t, a)
		start(t, b)
		eventually(t, "all jobs to succeed", func() bool {
			jobs, err := a.List(ctx, models.JobFilter{Status: models.JobSucceeded, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(jobs) == len(ids)
		})
		for _, id := range ids {
			// A second claim of a job would count an attempt even if the loser then
			// noticed and stopped.
			if job, err := a.Get(ctx, id); err != nil || job.Attempts != 1 {
				t.Errorf("job %s = %+v, %v; want one attempt", id, job, err)
			}
			for _, s := range []string{"one", "two", "three"} {
				if n := c.get(id, s); n != 1 {
					t.Errorf("job %s step %s ran %d times", id, s, n)
				}
			}
			assertSeqs(t, allEvents(t, a, id), 1)
		}
		if n := overlaps.Load(); n != 0 {
			t.Errorf("%d steps ran while another worker ran the same job", n)
		}
	})
}

func TestCancelAndRetry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var c calls
		entered := make(chan struct{})
		var cause atomic.Value
		steps := []jobs.Step[createArgs]{
			counted(&c, "one"),
			{Name: "wait", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				if c.add(j.Job().ID, "wait") > 1 {
					return nil
				}
				close(entered)
				<-ctx.Done()
				cause.Store(context.Cause(ctx))
				return ctx.Err()
			}},
			counted(&c, "three"),
		}
		worker := newEngine(db, "worker", jobs.Options{})
		worker.Register(jobs.NewWorker(steps...))
		// api is another replica's engine, running no jobs: its cancel reaches the worker
		// through the database.
		api := newEngine(db, "api", jobs.Options{Workers: -1})
		api.Register(jobs.NewWorker(steps...))

		queued, err := api.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		if j, err := api.Cancel(ctx, queued.ID); err != nil || j.Status != models.JobCancelled {
			t.Fatalf("cancel queued job = %+v, %v", j, err)
		}
		if j, err := api.Cancel(ctx, queued.ID); err != nil || j.Status != models.JobCancelled {
			t.Errorf("cancel again = %+v, %v", j, err)
		}

		job, err := api.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		start(t, worker)
		select {
		case <-entered:
		case <-time.After(deadline):
			t.Fatal("step wait never started")
		}
		if _, err := api.Cancel(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		cancelled := waitStatus(t, api, job.ID, models.JobCancelled)
		if cancelled.Step != 1 || cancelled.StepName != "wait" || cancelled.CancelRequested || cancelled.FinishedAt == nil {
			t.Errorf("cancelled job = %+v", cancelled)
		}
		if got, _ := cause.Load().(error); got == nil || got.Error() != "cancel requested" {
			t.Errorf("step context cause = %v", got)
		}
		if n := c.get(job.ID, "three"); n != 0 {
			t.Errorf("step three ran %d times after the cancel", n)
		}
		evs := allEvents(t, api, job.ID)
		assertSeqs(t, evs, 1)
		var msgs []string
		for _, ev := range evs {
			msgs = append(msgs, ev.Message)
		}
		if got := strings.Join(msgs, "|"); !strings.Contains(got, "cancel requested|cancelled") || evs[len(evs)-1].Status != models.JobCancelled {
			t.Errorf("events = %s", got)
		}

		if _, err := api.Retry(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, api, job.ID, models.JobSucceeded)
		for step, want := range map[string]int{"one": 1, "wait": 2, "three": 1} {
			if got := c.get(job.ID, step); got != want {
				t.Errorf("step %s ran %d times, want %d", step, got, want)
			}
		}
		if _, err := api.Cancel(ctx, job.ID); models.ErrorCode(err) != models.CodeConflict {
			t.Errorf("cancel a succeeded job: %v, want CONFLICT", err)
		}
		if _, err := api.Cancel(ctx, "no-such-job"); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("cancel unknown job: %v, want NOT_FOUND", err)
		}
	})
}

// explodeArgs are of a kind no engine registers.
type explodeArgs struct{}

func (explodeArgs) Kind() string { return "cluster.explode" }

// unmarshalableArgs are of a registered kind but cannot be marshalled to JSON.
type unmarshalableArgs struct{ C chan int }

func (unmarshalableArgs) Kind() string { return "cluster.create" }

func TestEnqueue(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker([]jobs.Step[createArgs]{{Name: "one", Run: func(context.Context, *jobs.Job[createArgs]) error { return nil }}}...))

		if _, err := e.Enqueue(ctx, explodeArgs{}, "oscar"); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("unknown kind: %v, want INVALID", err)
		}
		if _, err := e.Enqueue(ctx, unmarshalableArgs{C: make(chan int)}, "oscar"); models.ErrorCode(err) != models.CodeInvalid {
			t.Errorf("args that are not JSON: %v, want INVALID", err)
		}
		job, err := e.Enqueue(ctx, createArgs{Cluster: "kept"}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		kept := job.ID
		queued, err := e.List(ctx, models.JobFilter{Kind: "cluster.create", Status: models.JobQueued})
		if err != nil || len(queued) != 1 || queued[0].ID != kept || queued[0].Args != `{"cluster":"kept"}` || queued[0].StepName != "one" {
			t.Fatalf("queued jobs = %+v, %v", queued, err)
		}
		if evs := allEvents(t, e, kept); len(evs) != 1 || evs[0].Seq != 1 || evs[0].Status != models.JobQueued {
			t.Errorf("events of a new job = %+v", evs)
		}
	})
}

func TestWorkerThatLostItsLeaseWritesNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var c calls
		aInTwo, releaseA := make(chan struct{}), make(chan struct{})
		bInThree, releaseB := make(chan struct{}), make(chan struct{})
		steps := []jobs.Step[createArgs]{
			counted(&c, "one"),
			{Name: "two", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				if c.add(j.Job().ID, "two") == 1 {
					close(aInTwo)
					<-releaseA // a stalled worker: it neither renews its lease nor notices
				}
				return nil
			}},
			{Name: "three", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
				c.add(j.Job().ID, "three")
				close(bInThree)
				<-releaseB
				return nil
			}},
		}
		// a renews its minute-long lease every 20 s, that is never during the test; b's
		// clock runs two minutes ahead, so to b a's lease has expired.
		var aLog lockedBuffer
		a := newEngine(db, "a", jobs.Options{Lease: time.Minute, PollInterval: time.Minute,
			Logger: slog.New(slog.NewTextHandler(&aLog, nil))})
		a.Register(jobs.NewWorker(steps...))
		ahead := &fakeClock{}
		ahead.Advance(2 * time.Minute)
		b := newEngine(db, "b", jobs.Options{Lease: time.Minute, Clock: ahead})
		b.Register(jobs.NewWorker(steps...))

		start(t, a)
		unblockA, unblockB := sync.OnceFunc(func() { close(releaseA) }), sync.OnceFunc(func() { close(releaseB) })
		t.Cleanup(unblockA) // before the engines stop, should the test fail early
		t.Cleanup(unblockB)
		wait := func(ch <-chan struct{}, what string) {
			t.Helper()
			select {
			case <-ch:
			case <-time.After(deadline):
				t.Fatalf("%s never happened", what)
			}
		}
		job, err := a.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		wait(aInTwo, "a running step two")
		start(t, b)
		wait(bInThree, "b taking the job over and running step three")
		before := allEvents(t, b, job.ID)

		unblockA() // a's step two completes while b runs step three
		eventually(t, "a to log that it stopped", func() bool { return strings.Contains(aLog.String(), "taken over by another worker") })
		if after := allEvents(t, b, job.ID); len(after) != len(before) {
			t.Errorf("a wrote after losing its lease: %+v", after[len(before):])
		}
		if j, _ := b.Get(ctx, job.ID); j.Step != 2 || !strings.HasPrefix(j.LeaseOwner, "b/") {
			t.Errorf("job after a stopped = %+v", j)
		}

		unblockB()
		done := waitStatus(t, b, job.ID, models.JobSucceeded)
		for step, want := range map[string]int{"one": 1, "two": 2, "three": 1} {
			if got := c.get(job.ID, step); got != want {
				t.Errorf("step %s ran %d times, want %d", step, got, want)
			}
		}
		if done.Step != 3 || done.Attempts != 2 {
			t.Errorf("job = %+v", done)
		}
		assertSeqs(t, allEvents(t, b, job.ID), 1)
	})
}
