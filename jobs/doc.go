// Package jobs runs durable jobs: ordered, named, idempotent steps whose state lives in
// the database so that a restarted server (or another replica) resumes a job where it
// stopped, with progress events streamed to subscribers. It knows nothing of what the
// jobs do: a job kind is a Worker, usually made by NewWorker from typed arguments (with a
// Kind) and the steps that work on them.
//
// The Engine claims a job with a lease (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a
// conditional UPDATE), renews it while the job runs and, before recording anything,
// checks that it still holds it: a worker that stalled past its lease finds another
// worker owning the job and stops without writing. A worker that dies leaves its lease to
// expire; the next claim resumes the job at the step that had not been recorded done,
// which is why every step must be idempotent.
//
// Every change of a job is recorded with an event in the same transaction; a job's events
// are numbered 1, 2, … without gaps. Subscribers get the events they missed from the
// database, then live ones; with PostgreSQL, replicas announce new events to each other
// with NOTIFY.
package jobs
