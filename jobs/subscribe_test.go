package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kaas/internal/testenv"
	"kaas/jobs"
	"kaas/models"
	"kaas/store"
)

// gatedSteps reports progress, waits at a gate, then reports more.
func gatedSteps(gate <-chan struct{}, chatter int) []jobs.Step[createArgs] {
	return []jobs.Step[createArgs]{
		{Name: "one", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
			j.Progress(50, "half way")
			j.Progress(100, "done")
			return nil
		}},
		{Name: "gate", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
			j.Log(models.EventInfo, "waiting at the gate")
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
			for i := range chatter {
				j.Progress(100*(i+1)/chatter, fmt.Sprint("line ", i))
			}
			return nil
		}},
		{Name: "three", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
			j.Log(models.EventInfo, "last words")
			return nil
		}},
	}
}

// waitForMessage waits until the job has recorded an event with message and returns its
// Seq.
func waitForMessage(t *testing.T, e *jobs.Engine, id, message string) int {
	t.Helper()
	seq := 0
	eventually(t, "event "+message, func() bool {
		for _, ev := range allEvents(t, e, id) {
			if ev.Message == message {
				seq = ev.Seq
				return true
			}
		}
		return false
	})
	return seq
}

func TestSubscribeReplaysThenStreams(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(gatedSteps(gate, 20)...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		if at := waitForMessage(t, e, job.ID, "waiting at the gate"); at < 4 {
			t.Fatalf("only %d events before the gate", at)
		}

		const after = 2 // the subscriber saw two events, then reconnected
		ch, err := e.Subscribe(ctx, job.ID, after)
		if err != nil {
			t.Fatal(err)
		}
		close(gate)
		got := collect(t, ch)
		assertSeqs(t, got, after+1)
		stored := allEvents(t, e, job.ID)
		if len(got) != len(stored)-after {
			t.Fatalf("subscriber got seqs %v, stored %v", seqs(got), seqs(stored))
		}
		for i, ev := range got {
			if want := stored[after+i]; ev.Message != want.Message || ev.Status != want.Status || ev.Percent != want.Percent {
				t.Errorf("event %d = %+v, stored %+v", ev.Seq, ev, want)
			}
		}
		if last := got[len(got)-1]; last.Status != models.JobSucceeded {
			t.Errorf("last event = %+v", last)
		}

		// A finished job replays and closes.
		ch, err = e.Subscribe(ctx, job.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := collect(t, ch); len(got) != len(stored) {
			t.Errorf("replay of a finished job: %d events, want %d", len(got), len(stored))
		}
		ch, err = e.Subscribe(ctx, job.ID, stored[len(stored)-1].Seq)
		if err != nil {
			t.Fatal(err)
		}
		if got := collect(t, ch); len(got) != 0 {
			t.Errorf("subscriber up to date with a finished job got %v", seqs(got))
		}
		if _, err := e.Subscribe(ctx, "no-such-job", 0); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("subscribe to unknown job: %v, want NOT_FOUND", err)
		}
	})
}

func TestSubscribeEndsWithContext(t *testing.T) {
	db := testenv.OpenDB(t, store.SQLite)
	e := newEngine(db, "a", jobs.Options{})
	e.Register(jobs.NewWorker(gatedSteps(make(chan struct{}), 0)...))
	job, err := e.Enqueue(context.Background(), createArgs{}, "oscar")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := e.Subscribe(ctx, job.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-ch; ev.Seq != 1 || ev.Status != models.JobQueued {
		t.Errorf("first event = %+v", ev)
	}
	cancel()
	if got := collect(t, ch); len(got) != 0 {
		t.Errorf("events after cancel: %v", seqs(got))
	}
}

func TestSubscriberSeesAnotherReplicasJob(t *testing.T) {
	db := testenv.OpenDB(t, store.Postgres)
	ctx := context.Background()
	gate := make(chan struct{})
	worker := newEngine(db, "worker", jobs.Options{})
	worker.Register(jobs.NewWorker(gatedSteps(gate, 20)...))
	// The subscriber's replica runs no jobs; it learns of new events by LISTEN/NOTIFY.
	api := newEngine(db, "api", jobs.Options{Workers: -1})
	start(t, worker)
	start(t, api)
	job, err := worker.Enqueue(ctx, createArgs{}, "oscar")
	if err != nil {
		t.Fatal(err)
	}
	waitForMessage(t, worker, job.ID, "waiting at the gate")
	ch, err := api.Subscribe(ctx, job.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	close(gate)
	got := collect(t, ch)
	assertSeqs(t, got, 1)
	if n := len(allEvents(t, api, job.ID)); len(got) != n {
		t.Errorf("got %d events, stored %d", len(got), n)
	}
	if last := got[len(got)-1]; last.Status != models.JobSucceeded {
		t.Errorf("last event = %+v", last)
	}
}

func TestSlowSubscriberIsDroppedWithoutBlockingTheJob(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{SubscriberBuffer: 4})
		e.Register(jobs.NewWorker(gatedSteps(gate, 50)...))
		start(t, e)
		if db.Dialect() == store.Postgres {
			// A subscriber made to re-read the database when the listener connects reads
			// it to the end, waiting for its reader (its memory bounded by a page), and is
			// not dropped: subscribe once that is past.
			eventually(t, "the engine's listener connected", e.Listening)
		}
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		waitForMessage(t, e, job.ID, "waiting at the gate")
		slow, err := e.Subscribe(ctx, job.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := e.Subscribe(ctx, job.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		fastGot := make(chan []models.JobEvent, 1)
		go func() {
			var evs []models.JobEvent
			for ev := range fast {
				evs = append(evs, *ev)
			}
			fastGot <- evs
		}()
		close(gate)
		// Nobody reads slow, yet the job finishes.
		waitStatus(t, e, job.ID, models.JobSucceeded)
		stored := allEvents(t, e, job.ID)

		got := collect(t, slow)
		assertSeqs(t, got, 1)
		if len(got) == 0 || len(got) >= len(stored) || got[len(got)-1].Status.Final() {
			t.Errorf("slow subscriber got seqs %v of %d; want it dropped before the end", seqs(got), len(stored))
		}
		select {
		case evs := <-fastGot:
			// A subscriber reading along may or may not keep up on a loaded machine; what
			// it did get is in order, and it was not held back by the slow one.
			assertSeqs(t, evs, 1)
		case <-time.After(deadline):
			t.Fatal("fast subscriber not closed")
		}
	})
}

func TestManySubscribersJoiningWhileTheJobRuns(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(gatedSteps(gate, 60)...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		waitForMessage(t, e, job.ID, "waiting at the gate")
		close(gate)
		// Subscribers join while events are being recorded, each after a different Seq,
		// so replay and live delivery race.
		type result struct {
			after int
			evs   []models.JobEvent
		}
		results := make(chan result, 12)
		for i := range 12 {
			after := (i * 7) % 20
			ch, err := e.Subscribe(ctx, job.ID, after)
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				var evs []models.JobEvent
				for ev := range ch {
					evs = append(evs, *ev)
				}
				results <- result{after, evs}
			}()
			time.Sleep(2 * time.Millisecond) // spread the joins over the run
		}
		waitStatus(t, e, job.ID, models.JobSucceeded)
		total := len(allEvents(t, e, job.ID))
		for range 12 {
			select {
			case r := <-results:
				assertSeqs(t, r.evs, r.after+1)
				if len(r.evs) != total-r.after || !r.evs[len(r.evs)-1].Status.Final() {
					t.Errorf("subscriber after %d got seqs %v of %d", r.after, seqs(r.evs), total)
				}
			case <-time.After(deadline):
				t.Fatal("a subscription was not closed")
			}
		}
	})
}

func TestConcurrentLogLinesReachSubscribersInOrder(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker([]jobs.Step[createArgs]{{Name: "servers", Run: func(ctx context.Context, j *jobs.Job[createArgs]) error {
			select {
			case <-gate:
			case <-ctx.Done():
				return ctx.Err()
			}
			// Servers come up in parallel and report as they do: commits and their
			// publication interleave, so live events can reach the hub out of order.
			var wg sync.WaitGroup
			for s := range 8 {
				wg.Go(func() {
					for i := range 8 {
						j.Log(models.EventInfo, fmt.Sprintf("server %d: stage %d", s, i))
					}
				})
			}
			wg.Wait()
			return nil
		}}}...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		waitForMessage(t, e, job.ID, "step started")
		var chans []<-chan *models.JobEvent
		for range 4 {
			ch, err := e.Subscribe(ctx, job.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			chans = append(chans, ch)
		}
		close(gate)
		total := 0
		for _, ch := range chans {
			got := collect(t, ch)
			assertSeqs(t, got, 1)
			if total == 0 {
				total = len(allEvents(t, e, job.ID))
			}
			if len(got) != total || !got[len(got)-1].Status.Final() {
				t.Errorf("subscriber got seqs %v of %d", seqs(got), total)
			}
		}
	})
}

func TestSubscriberFillsAGapFromTheDatabase(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(gatedSteps(gate, 3)...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		at := waitForMessage(t, e, job.ID, "waiting at the gate")
		ch, err := e.Subscribe(ctx, job.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= at; i++ {
			if ev := <-ch; ev.Seq != i {
				t.Fatalf("replayed seq %d, want %d", ev.Seq, i)
			}
		}
		// Two commits whose publications arrive in the wrong order: the later one first.
		var evs []models.JobEvent
		for i := 1; i <= 2; i++ {
			ev := models.JobEvent{JobID: job.ID, Seq: at + i, At: time.Now().UTC(), Step: "gate",
				Level: models.EventInfo, Message: fmt.Sprint("out of order ", i), Status: models.JobRunning}
			if err := db.Gorm().Create(&ev).Error; err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
		e.PublishLocally(evs[1])
		e.PublishLocally(evs[0])
		close(gate)
		got := collect(t, ch)
		assertSeqs(t, got, at+1)
		if len(got) < 2 || got[0].Message != "out of order 1" || !got[len(got)-1].Status.Final() {
			t.Errorf("after the gap: %+v", got)
		}
	})
}

// TestSubscribePastTheEndClosesWhenTheJobEnds: a subscriber that starts after a Seq the
// job has not reached gets no event, and its channel still closes when the job ends.
func TestSubscribePastTheEndClosesWhenTheJobEnds(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		gate := make(chan struct{})
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(gatedSteps(gate, 3)...))
		start(t, e)
		job, err := e.Enqueue(ctx, createArgs{}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		waitForMessage(t, e, job.ID, "waiting at the gate")
		ch, err := e.Subscribe(ctx, job.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		close(gate)
		if got := collect(t, ch); len(got) != 0 {
			t.Fatalf("got seqs %v", seqs(got))
		}
		if _, err := e.Subscribe(ctx, job.ID, -1); models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("Subscribe(-1) = %v, want INVALID", err)
		}
	})
}
