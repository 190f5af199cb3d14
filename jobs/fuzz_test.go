package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kaas/jobs"
	"kaas/models"
	"kaas/store"
)

// chattyArgs are the arguments of a job that records many events.
type chattyArgs struct{}

func (chattyArgs) Kind() string { return "chatty" }

// FuzzJobReplay subscribes to jobs with arbitrary IDs and sequence numbers, as
// jobProgress(jobId, after) does. An unknown job is NOT_FOUND, a negative after INVALID;
// a finished job replays exactly its stored events after `after`, in order, then the
// channel closes.
func FuzzJobReplay(f *testing.F) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	e := newEngine(db, "fuzz", jobs.Options{})
	const lines = 30
	e.Register(jobs.NewWorker([]jobs.Step[chattyArgs]{{Name: "talk", Run: func(_ context.Context, j *jobs.Job[chattyArgs]) error {
		for i := range lines {
			j.Progress(100*(i+1)/lines, fmt.Sprint("line ", i))
		}
		return nil
	}}}...))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { e.Run(runCtx); close(done) }()
	job, err := e.Enqueue(ctx, chattyArgs{}, "oscar")
	if err != nil {
		f.Fatal(err)
	}
	for end := time.Now().Add(deadline); ; {
		j, err := e.Get(ctx, job.ID)
		if err != nil {
			f.Fatal(err)
		}
		if j.Status.Final() {
			break
		}
		if time.Now().After(end) {
			f.Fatalf("job still %s", j.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	<-done
	stored, err := e.Events(ctx, job.ID, 0, 1000)
	if err != nil || len(stored) < lines {
		f.Fatalf("stored events: %d, %v", len(stored), err)
	}

	for _, s := range []struct {
		id    string
		after int
	}{{job.ID, 0}, {job.ID, 5}, {job.ID, len(stored)}, {job.ID, len(stored) + 1}, {job.ID, -1}, {job.ID, 1 << 62},
		{job.ID, -1 << 63}, {"no-such-job", 0}, {"", 0}, {job.ID + "'", 0}, {"' OR 1=1 --", 0}} {
		f.Add(s.id, s.after)
	}
	f.Fuzz(func(t *testing.T, id string, after int) {
		cctx, cancel := context.WithTimeout(ctx, deadline)
		defer cancel()
		ch, err := e.Subscribe(cctx, id, after)
		switch {
		case after < 0:
			if models.ErrorCode(err) != models.CodeInvalid {
				t.Fatalf("Subscribe(%q, %d) = %v, want INVALID", id, after, err)
			}
			return
		case id != job.ID:
			if models.ErrorCode(err) != models.CodeNotFound {
				t.Fatalf("Subscribe(%q, %d) = %v, want NOT_FOUND", id, after, err)
			}
			return
		case err != nil:
			t.Fatalf("Subscribe(%d) = %v", after, err)
		}
		got := collect(t, ch)
		want := stored[min(after, len(stored)):]
		if len(got) != len(want) {
			t.Fatalf("after %d: got seqs %v, want %v", after, seqs(got), seqs(want))
		}
		for i := range got {
			if got[i].Seq != want[i].Seq || got[i].Message != want[i].Message || got[i].Status != want[i].Status {
				t.Fatalf("after %d: event %d = %+v, stored %+v", after, i, got[i], want[i])
			}
		}
	})
}
