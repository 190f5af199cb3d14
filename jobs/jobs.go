package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"kaas/models"
)

// PostgreSQL channels shared by the replicas. Notices go out when the writing
// transaction commits, never for a rolled-back write.
const (
	eventsChannel = "kaas_job_events" // payload "<job ID>:<seq>"
	queuedChannel = "kaas_job_queued" // payload: job ID
)

// Enqueue stores a new queued job of args' kind, which must be registered, with args
// marshalled to JSON, and wakes this engine's idle workers.
func (e *Engine) Enqueue(ctx context.Context, args Args, createdBy string) (*models.Job, error) {
	var job *models.Job
	var ev models.JobEvent
	err := e.db.Transaction(ctx, func(tx *gorm.DB) error {
		var err error
		job, ev, err = e.enqueue(tx, args, createdBy)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.hub.publish(ev)
	e.wake()
	return job, nil
}

func (e *Engine) enqueue(tx *gorm.DB, args Args, createdBy string) (*models.Job, models.JobEvent, error) {
	kind := args.Kind()
	w, ok := e.worker(kind)
	if !ok {
		return nil, models.JobEvent{}, models.Errorf(models.CodeInvalid, "unknown job kind %q", kind)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, models.JobEvent{}, models.WrapError(models.CodeInvalid, err, "job arguments are not JSON")
	}
	now := e.now()
	job := &models.Job{
		ID: uuid.NewString(), Kind: kind, Args: string(raw), Status: models.JobQueued,
		StepName: w.Steps()[0].Name, CreatedBy: createdBy, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.Create(job).Error; err != nil {
		return nil, models.JobEvent{}, fmt.Errorf("create job: %w", err)
	}
	ev := models.JobEvent{JobID: job.ID, Seq: 1, At: now, Level: models.EventInfo, Message: "queued", Status: models.JobQueued}
	if err := tx.Create(&ev).Error; err != nil {
		return nil, models.JobEvent{}, fmt.Errorf("create job event: %w", err)
	}
	if e.postgres {
		if err := tx.Exec("SELECT pg_notify(?, ?)", queuedChannel, job.ID).Error; err != nil {
			return nil, models.JobEvent{}, fmt.Errorf("notify queued job: %w", err)
		}
	}
	return job, ev, nil
}

// transition applies set to the job when where holds and appends ev, in one transaction;
// it reports false, writing nothing, when no row matched. The UPDATE takes the job's row
// lock (SQLite: the database's write lock) before the event's Seq is chosen, which is
// what keeps a job's Seqs unique and gapless.
func (e *Engine) transition(ctx context.Context, jobID, where string, whereArgs []any, set map[string]any, ev models.JobEvent) (models.JobEvent, bool, error) {
	ev.JobID = jobID
	if ev.At.IsZero() {
		ev.At = e.now()
	}
	set["updated_at"] = ev.At
	matched, proposed := false, ev
	// Run again after a serialization failure or deadlock: start from the proposed event.
	err := e.db.Transaction(ctx, func(tx *gorm.DB) error {
		matched, ev = false, proposed
		res := tx.Model(&models.Job{}).Where("id = ? AND ("+where+")", append([]any{jobID}, whereArgs...)...).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("update job: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		matched = true
		var job models.Job
		if err := tx.Where("id = ?", jobID).Take(&job).Error; err != nil {
			return fmt.Errorf("read job: %w", err)
		}
		ev.Status, ev.Percent = job.Status, job.Percent
		var last int
		if err := tx.Model(&models.JobEvent{}).Where("job_id = ?", jobID).Select("COALESCE(MAX(seq), 0)").Scan(&last).Error; err != nil {
			return fmt.Errorf("last event: %w", err)
		}
		ev.Seq = last + 1
		if err := tx.Create(&ev).Error; err != nil {
			return fmt.Errorf("create job event: %w", err)
		}
		if e.postgres {
			payload := jobID + ":" + strconv.Itoa(ev.Seq)
			if err := tx.Exec("SELECT pg_notify(?, ?)", eventsChannel, payload).Error; err != nil {
				return fmt.Errorf("notify job event: %w", err)
			}
		}
		return nil
	})
	if err != nil || !matched {
		return models.JobEvent{}, false, err
	}
	e.hub.publish(ev)
	return ev, true, nil
}

// Cancel stops a job: a queued one at once, a running one when its worker sees the
// request (immediately on this replica, within PollInterval on another). Cancelling a
// cancelled job does nothing; a succeeded or failed one is CONFLICT.
func (e *Engine) Cancel(ctx context.Context, id string) (*models.Job, error) {
	now := e.now()
	_, ok, err := e.transition(ctx, id, "status = ?", []any{models.JobQueued},
		map[string]any{"status": models.JobCancelled, "finished_at": now},
		models.JobEvent{At: now, Level: models.EventWarn, Message: "cancelled before it started"})
	if err == nil && !ok {
		_, ok, err = e.transition(ctx, id, "status = ? AND NOT cancel_requested", []any{models.JobRunning},
			map[string]any{"cancel_requested": true},
			models.JobEvent{At: now, Level: models.EventWarn, Message: "cancel requested"})
		if ok {
			e.mu.RLock()
			run := e.running[id]
			e.mu.RUnlock()
			if run != nil {
				run.stop(errCancelRequested)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cancel job: %w", err)
	}
	job, err := e.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok && (job.Status == models.JobSucceeded || job.Status == models.JobFailed) {
		return nil, models.Errorf(models.CodeConflict, "the job has already %s", job.Status)
	}
	return job, nil
}

// Retry queues a failed or cancelled job again; it resumes at the step that failed or
// was interrupted, the earlier steps being done. Any other status is CONFLICT.
func (e *Engine) Retry(ctx context.Context, id string) (*models.Job, error) {
	_, ok, err := e.transition(ctx, id, "status IN ?", []any{[]models.JobStatus{models.JobFailed, models.JobCancelled}},
		map[string]any{
			"status": models.JobQueued, "cancel_requested": false, "error": "", "finished_at": nil,
			"lease_owner": "", "lease_expires_at": nil,
		},
		models.JobEvent{Level: models.EventInfo, Message: "retry requested"})
	if err != nil {
		return nil, fmt.Errorf("retry job: %w", err)
	}
	job, err := e.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, models.Errorf(models.CodeConflict, "a %s job cannot be retried", job.Status)
	}
	e.wake()
	if e.postgres {
		// Other replicas' workers would find it at their next poll anyway.
		if err := e.gorm.WithContext(ctx).Exec("SELECT pg_notify(?, ?)", queuedChannel, id).Error; err != nil {
			e.log.Warn("notify retried job", "job", id, "err", err)
		}
	}
	return job, nil
}

// Get returns one job; an unknown ID is NOT_FOUND.
func (e *Engine) Get(ctx context.Context, id string) (*models.Job, error) {
	var job models.Job
	err := e.gorm.WithContext(ctx).Where("id = ?", id).Take(&job).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.Errorf(models.CodeNotFound, "job not found")
	}
	if err != nil {
		return nil, fmt.Errorf("read job: %w", err)
	}
	return &job, nil
}

// List returns the jobs matching f, newest first; Limit defaults to 50, at most 500.
func (e *Engine) List(ctx context.Context, f models.JobFilter) ([]models.Job, error) {
	q := e.gorm.WithContext(ctx).Model(&models.Job{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.CreatedBy != "" {
		q = q.Where("created_by = ?", f.CreatedBy)
	}
	switch {
	case f.Limit <= 0:
		f.Limit = models.DefaultJobPage
	case f.Limit > models.MaxJobPage:
		f.Limit = models.MaxJobPage
	}
	var jobs []models.Job
	if err := q.Order("created_at DESC, id DESC").Offset(max(f.Offset, 0)).Limit(f.Limit).Find(&jobs).Error; err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return jobs, nil
}

// Each calls fn with every job f selects, newest first, a page at a time, until fn says
// stop or an error ends it. f.Limit and f.Offset are its own.
func (e *Engine) Each(ctx context.Context, f models.JobFilter, fn func(*models.Job) (stop bool, err error)) error {
	f.Limit, f.Offset = models.MaxJobPage, 0
	for {
		page, err := e.List(ctx, f)
		if err != nil {
			return err
		}
		for i := range page {
			if stop, err := fn(&page[i]); stop || err != nil {
				return err
			}
		}
		if len(page) < f.Limit {
			return nil
		}
		// A job enqueued meanwhile shifts the pages by one: a job may be seen twice, never
		// missed.
		f.Offset += len(page)
	}
}

// Events returns a job's events with Seq above afterSeq, in order; limit defaults to
// 100, at most 1000.
func (e *Engine) Events(ctx context.Context, id string, afterSeq, limit int) ([]models.JobEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var evs []models.JobEvent
	err := e.gorm.WithContext(ctx).Where("job_id = ? AND seq > ?", id, afterSeq).Order("seq").Limit(limit).Find(&evs).Error
	if err != nil {
		return nil, fmt.Errorf("list job events: %w", err)
	}
	return evs, nil
}
