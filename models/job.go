package models

import "time"

// JobStatus is where a provisioning job is in its life.
type JobStatus string

// The job statuses. Succeeded, failed and cancelled are final; failed and cancelled jobs
// can be retried.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed"
	JobCancelled JobStatus = "cancelled"
)

// Final reports whether no worker will touch a job in status s again unless it is retried.
func (s JobStatus) Final() bool {
	return s == JobSucceeded || s == JobFailed || s == JobCancelled
}

// Job is a durable provisioning job: a list of named, idempotent steps of its kind, of
// which Step is the next to run. Its state is persisted after every step, so another
// worker resumes it where it stopped.
type Job struct {
	ID string `gorm:"primaryKey"`
	// Kind names the registered step list, e.g. "cluster.create".
	Kind string
	// Args is the JSON the job was enqueued with.
	Args   string
	Status JobStatus
	// CancelRequested is set while a running job's worker has not yet stopped it.
	CancelRequested bool
	// Step is the index of the next step to run; StepName is its name, empty when every
	// step is done.
	Step     int
	StepName string
	// Percent is the job's overall progress, 0 to 100.
	Percent int
	// Attempts counts the times a worker claimed the job: first run, resumptions after a
	// lost lease, retries.
	Attempts int
	// Error is the failed step's error, empty unless the job failed.
	Error string
	// LeaseOwner identifies the worker run holding the job until LeaseExpiresAt; a
	// running job whose lease has expired is claimable again (its worker died).
	LeaseOwner     string
	LeaseExpiresAt *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	StartedAt      *time.Time
	FinishedAt     *time.Time
	UpdatedAt      time.Time
}

// EventLevel is the severity of a job event.
type EventLevel string

// The event levels.
const (
	EventInfo  EventLevel = "info"
	EventWarn  EventLevel = "warn"
	EventError EventLevel = "error"
)

// JobEvent is one line of a job's progress log. Seq orders a job's events without gaps,
// starting at 1; a subscriber resumes after the last Seq it saw.
type JobEvent struct {
	ID    int64 `gorm:"primaryKey;autoIncrement"`
	JobID string
	Seq   int
	At    time.Time
	// Step names the step the event belongs to, empty for the job's own events.
	Step string
	// Percent is the job's overall progress when the event was recorded.
	Percent int
	Level   EventLevel
	Message string
	// Status is the job's status once the event was recorded: an event with a final
	// status is the last of its run.
	Status JobStatus
}

// JobFilter selects jobs, newest first. Zero fields do not filter.
type JobFilter struct {
	Kind      string
	Status    JobStatus
	CreatedBy string
	// Limit is the page size: DefaultJobPage when 0, at most MaxJobPage.
	Limit int
	// Offset skips that many of the selected jobs: the next page.
	Offset int
}

// The job list's page sizes.
const (
	DefaultJobPage = 50
	MaxJobPage     = 500
)
