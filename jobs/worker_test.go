package jobs_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"kaas/jobs"
	"kaas/models"
	"kaas/store"
)

// decodes counts how often countedArgs are unmarshalled.
var decodes atomic.Int32

// countedArgs count their decodes, so a test sees how often a run decodes them.
type countedArgs struct {
	Cluster string `json:"cluster"`
}

func (countedArgs) Kind() string { return "counted" }

func (a *countedArgs) UnmarshalJSON(b []byte) error {
	decodes.Add(1)
	type plain countedArgs
	return json.Unmarshal(b, (*plain)(a))
}

// TestWorkerDecodesArgumentsOncePerRun runs a job of three typed steps: each sees the
// arguments it was enqueued with, decoded once for the whole run.
func TestWorkerDecodesArgumentsOncePerRun(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		decodes.Store(0)
		var c calls
		step := func(name string) jobs.Step[countedArgs] {
			return jobs.Step[countedArgs]{Name: name, Run: func(_ context.Context, j *jobs.Job[countedArgs]) error {
				c.add(j.Job().ID, name+":"+j.Args.Cluster)
				return nil
			}}
		}
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(step("one"), step("two"), step("three")))
		start(t, e)
		job, err := e.Enqueue(ctx, countedArgs{Cluster: "prod"}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		waitStatus(t, e, job.ID, models.JobSucceeded)
		c.mu.Lock()
		got := strings.Join(c.order, ",")
		c.mu.Unlock()
		if got != "one:prod,two:prod,three:prod" {
			t.Errorf("steps saw %s", got)
		}
		if n := decodes.Load(); n != 1 {
			t.Errorf("arguments decoded %d times in one run, want 1", n)
		}
	})
}

// badArgs do not decode from what they are stored as.
type badArgs struct{ Cluster string }

func (badArgs) Kind() string { return "bad" }

func (*badArgs) UnmarshalJSON([]byte) error { return json.Unmarshal([]byte(`1`), new(string)) }

// TestArgumentsThatDoNotDecodeFailTheStep checks that the first step fails with the
// decoding error, without running.
func TestArgumentsThatDoNotDecodeFailTheStep(t *testing.T) {
	forEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ran atomic.Bool
		e := newEngine(db, "a", jobs.Options{})
		e.Register(jobs.NewWorker(jobs.Step[badArgs]{Name: "one", Run: func(context.Context, *jobs.Job[badArgs]) error {
			ran.Store(true)
			return nil
		}}))
		start(t, e)
		job, err := e.Enqueue(ctx, badArgs{Cluster: "prod"}, "oscar")
		if err != nil {
			t.Fatal(err)
		}
		failed := waitStatus(t, e, job.ID, models.JobFailed)
		if ran.Load() || failed.StepName != "one" || !strings.HasPrefix(failed.Error, "job arguments: ") {
			t.Errorf("ran %v; failed job = step %q, error %q", ran.Load(), failed.StepName, failed.Error)
		}
	})
}
