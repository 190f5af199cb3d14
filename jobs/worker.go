package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Args are a job's arguments: stored as JSON, and naming the kind of job they are for.
type Args interface {
	// Kind names the job kind; it is stored with the job and picks its Worker.
	Kind() string
}

// StepInfo names a step of a job kind and bounds one run of it.
type StepInfo struct {
	Name string
	// Timeout bounds one run of the step; zero means Options.StepTimeout.
	Timeout time.Duration
}

// Worker runs the jobs of one kind, step by step. NewWorker makes one from typed steps.
type Worker interface {
	// Kind is the job kind the worker runs.
	Kind() string
	// Steps are the kind's steps, in order; never empty.
	Steps() []StepInfo
	// Work runs the step r.Step() of the job r works on. It must be idempotent: after a
	// crash or a lost lease it runs again for the same job, so it checks whether its
	// effect already exists before causing it. It must return soon after ctx ends.
	Work(ctx context.Context, r *Run) error
}

// Step is one named step of jobs whose arguments are T. See Worker.Work for what Run
// must do.
type Step[T Args] struct {
	Name string
	// Timeout bounds one run of the step; zero means Options.StepTimeout.
	Timeout time.Duration
	Run     func(ctx context.Context, j *Job[T]) error
}

// Job is a step's view of the job it works on, with its arguments decoded.
type Job[T Args] struct {
	*Run
	Args T
}

// NewWorker returns the worker of T's kind that runs steps in order. A job's arguments
// are decoded once per run of the job, before its first step; arguments that do not
// decode fail the step.
func NewWorker[T Args](steps ...Step[T]) Worker {
	var zero T
	w := &stepWorker[T]{kind: zero.Kind(), steps: steps}
	for _, s := range steps {
		w.info = append(w.info, StepInfo{Name: s.Name, Timeout: s.Timeout})
	}
	return w
}

type stepWorker[T Args] struct {
	kind  string
	steps []Step[T]
	info  []StepInfo
}

func (w *stepWorker[T]) Kind() string      { return w.kind }
func (w *stepWorker[T]) Steps() []StepInfo { return w.info }

func (w *stepWorker[T]) Work(ctx context.Context, r *Run) error {
	if r.args.decoded == nil {
		var a T
		if err := json.Unmarshal([]byte(r.job.Args), &a); err != nil {
			return fmt.Errorf("job arguments: %w", err)
		}
		r.args.decoded = a
	}
	return w.steps[r.index].Run(ctx, &Job[T]{Run: r, Args: r.args.decoded.(T)})
}
