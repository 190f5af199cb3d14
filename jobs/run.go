package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"kaas/models"
)

// Run is a running step's view of the job it works on.
type Run struct {
	e     *Engine
	ctx   context.Context // the run's, for writes: not cancelled by a step timeout
	job   models.Job
	owner string
	index int // of the running step
	steps []StepInfo
	lost  context.CancelCauseFunc
	args  *runArgs // shared by the steps of one run of the job
}

// runArgs holds a job's arguments once a Worker has decoded them.
type runArgs struct{ decoded any }

// Job returns the job as it was when this run claimed it.
func (r *Run) Job() models.Job { return r.job }

// Step returns the index of the running step in its Worker's Steps.
func (r *Run) Step() int { return r.index }

// Progress records how far the running step is, percent being the step's own progress
// (0–100); the event carries the job's overall percent. A failure to record is logged,
// not returned: progress is advisory. If the job's lease turns out lost, the step's
// context is cancelled.
func (r *Run) Progress(percent int, message string) {
	percent = max(0, min(100, percent))
	r.record(r.overall(percent), models.EventInfo, message)
}

// Log records a log line of the running step at level.
func (r *Run) Log(level models.EventLevel, message string) {
	r.record(-1, level, message)
}

// overall maps the running step's own percent to the job's.
func (r *Run) overall(stepPercent int) int {
	return (r.index*100 + stepPercent) / len(r.steps)
}

func (r *Run) record(percent int, level models.EventLevel, message string) {
	set := map[string]any{}
	if percent >= 0 {
		set["percent"] = percent
	}
	_, ok, err := r.e.transition(r.ctx, r.job.ID, "lease_owner = ? AND status = ?", []any{r.owner, models.JobRunning}, set,
		models.JobEvent{Step: r.steps[r.index].Name, Level: level, Message: message})
	switch {
	case err != nil:
		r.e.log.Warn("record job event", "job", r.job.ID, "err", err)
	case !ok:
		r.lost(errLeaseLost)
	}
}

// runJob runs a claimed job's remaining steps, persisting each completion, until the job
// ends, is cancelled, or the run stops (ctx ended, lease lost) without writing anything.
func (e *Engine) runJob(ctx context.Context, job *models.Job, owner string) {
	w, _ := e.worker(job.Kind) // claim only takes registered kinds
	steps := w.Steps()
	log := e.log.With("job", job.ID, "kind", job.Kind)
	runCtx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	handle := &runHandle{stop: stop}
	e.mu.Lock()
	e.running[job.ID] = handle
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		if e.running[job.ID] == handle {
			delete(e.running, job.ID)
		}
		e.mu.Unlock()
	}()
	// The lease is kept for as long as this run lasts, including while a cancelled step
	// winds down, so no other worker starts the job meanwhile.
	leaseCtx, endLease := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer endLease() // before the Wait above
	wg.Go(func() { e.keepLease(leaseCtx, job.ID, owner, stop) })

	owned := "lease_owner = ? AND status = ?"
	ownedArgs := []any{owner, models.JobRunning}
	// update persists a change of a job this run still owns; false means stop silently.
	update := func(set map[string]any, ev models.JobEvent) bool {
		_, ok, err := e.transition(ctx, job.ID, owned, ownedArgs, set, ev)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("persist job progress", "err", err)
		case err == nil && !ok:
			log.Warn("job taken over by another worker; this run stops", "owner", owner)
		}
		return err == nil && ok
	}
	released := func(status models.JobStatus) map[string]any {
		return map[string]any{"status": status, "finished_at": e.now(), "lease_owner": "", "lease_expires_at": nil, "cancel_requested": false}
	}

	start := "started"
	if job.Step > 0 || job.Attempts > 1 {
		start = fmt.Sprintf("resumed at step %d of %d", job.Step+1, len(steps))
	}
	if !update(map[string]any{}, models.JobEvent{Level: models.EventInfo,
		Message: fmt.Sprintf("%s by %s (attempt %d)", start, e.workerID, job.Attempts)}) {
		return
	}
	args := &runArgs{}
	for i := job.Step; i < len(steps); i++ {
		step := steps[i]
		if job.CancelRequested || context.Cause(runCtx) == errCancelRequested {
			set := released(models.JobCancelled)
			set["step_name"] = step.Name
			update(set, models.JobEvent{Step: step.Name, Level: models.EventWarn, Message: "cancelled"})
			return
		}
		if runCtx.Err() != nil {
			return // lease lost or shutting down
		}
		run := &Run{e: e, ctx: ctx, job: *job, owner: owner, index: i, steps: steps, lost: stop, args: args}
		if !update(map[string]any{"step": i, "step_name": step.Name, "percent": run.overall(0)},
			models.JobEvent{Step: step.Name, Level: models.EventInfo, Message: "step started"}) {
			return
		}
		err := e.runStep(runCtx, w, step, run)
		if err == nil && e.opts.PauseAfterStep > 0 {
			run.Log(models.EventWarn, "paused before recording the step (fault injection)")
			select {
			case <-runCtx.Done():
			case <-time.After(e.opts.PauseAfterStep):
			}
		}
		switch cause := context.Cause(runCtx); {
		case ctx.Err() != nil:
			log.Info("stopped mid-step; the job resumes when its lease expires", "step", step.Name)
			return
		case cause == errLeaseLost:
			log.Warn("lease lost mid-step; another worker has the job", "step", step.Name)
			return
		case err != nil && cause == errCancelRequested:
			set := released(models.JobCancelled)
			set["step_name"] = step.Name
			update(set, models.JobEvent{Step: step.Name, Level: models.EventWarn, Message: "cancelled"})
			return
		case err != nil:
			set := released(models.JobFailed)
			set["error"] = err.Error()
			set["step_name"] = step.Name
			update(set, models.JobEvent{Step: step.Name, Level: models.EventError, Message: err.Error()})
			return
		}
		next := ""
		if i+1 < len(steps) {
			next = steps[i+1].Name
		}
		if !update(map[string]any{"step": i + 1, "step_name": next, "percent": run.overall(100), "lease_expires_at": e.now().Add(e.opts.Lease)},
			models.JobEvent{Step: step.Name, Level: models.EventInfo, Message: "step done"}) {
			return
		}
	}
	set := released(models.JobSucceeded)
	set["percent"] = 100
	update(set, models.JobEvent{Level: models.EventInfo, Message: "succeeded"})
}

// runStep runs one step under its timeout, turning a panic into an error.
func (e *Engine) runStep(ctx context.Context, w Worker, step StepInfo, run *Run) (err error) {
	timeout := step.Timeout
	if timeout <= 0 {
		timeout = e.opts.StepTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("step %s panicked: %v", step.Name, p)
		}
	}()
	err = w.Work(ctx, run)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("step %s timed out after %s: %w", step.Name, timeout, err)
	}
	return err
}

// runHandle lets Cancel stop a run of this engine at once.
type runHandle struct{ stop context.CancelCauseFunc }

// keepLease renews the run's lease and watches for a cancel request until leaseCtx ends.
// It stops the run when the lease is lost — renewal found another owner, or the lease
// ran out while the database was unreachable — since another worker may now run the job.
func (e *Engine) keepLease(leaseCtx context.Context, jobID, owner string, stop context.CancelCauseFunc) {
	interval := min(e.opts.PollInterval, e.opts.Lease/3)
	expires := e.now().Add(e.opts.Lease)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-leaseCtx.Done():
			return
		case <-t.C:
		}
		now := e.now()
		var job models.Job
		res := e.gorm.WithContext(leaseCtx).Model(&job).
			Where("id = ? AND lease_owner = ? AND status = ?", jobID, owner, models.JobRunning).
			Updates(map[string]any{"lease_expires_at": now.Add(e.opts.Lease), "updated_at": now})
		switch {
		case res.Error != nil:
			if leaseCtx.Err() == nil && !now.Before(expires) {
				stop(errLeaseLost)
				return
			}
			continue
		case res.RowsAffected == 0:
			stop(errLeaseLost)
			return
		}
		expires = now.Add(e.opts.Lease)
		err := e.gorm.WithContext(leaseCtx).Select("cancel_requested").Where("id = ?", jobID).Take(&job).Error
		if err == nil && job.CancelRequested {
			stop(errCancelRequested) // the first cause sticks; later calls do nothing
		}
	}
}
