import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react'
import { Link, useParams } from 'react-router'
import { useClient, useMutation, useQuery } from 'urql'
import { onEnd, pipe, subscribe } from 'wonka'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { PageHeader } from '../../../components/PageHeader'
import { RequireOperator } from '../../../components/Restricted'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { useResetClient } from '../../../graphql/GraphQLProvider'
import styles from './JobPage.module.css'
import { emptyJobLog, formatElapsed, isFinal, jobLogReducer, lastSeq, steps } from './jobLog'
import { JobStatusBadge, LevelBadge, jobKindLabel } from './JobStatusBadge'
import { useDeleteCluster } from '../clusters/DeleteClusterDialog'

const JobQuery = graphql(`
  query JobPage($id: ID!) {
    job(id: $id) {
      id
      kind
      clusterId
      clusterName
      status
      stepName
      percent
      attempts
      error
      createdBy
      createdAt
      startedAt
      finishedAt
    }
  }
`)

const JobProgressSubscription = graphql(`
  subscription JobProgress($jobId: ID!, $after: Int) {
    jobProgress(jobId: $jobId, after: $after) {
      seq
      at
      step
      percent
      level
      message
      status
    }
  }
`)

const CancelJobMutation = graphql(`
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      id
      status
    }
  }
`)

const RetryJobMutation = graphql(`
  mutation RetryJob($id: ID!) {
    retryJob(id: $id) {
      id
      status
    }
  }
`)

// useNow is the current time, ticking every second while enabled.
function useNow(enabled: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!enabled) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [enabled])
  return enabled ? now : Date.now()
}

// JobProgress is the live view of one job: it replays the job's events from the start,
// then follows the live ones until the job ends, and reads the job again then.
function JobProgress({ id }: { id: string }) {
  const client = useClient()
  const resetClient = useResetClient()
  const jobContext = useMemo(() => ({ additionalTypenames: ['Job'] }), [])
  const [job, refetchJob] = useQuery({ query: JobQuery, variables: { id }, context: jobContext })
  const [log, dispatch] = useReducer(jobLogReducer, emptyJobLog)
  // connection counts subscriptions: a new one (after a retry, or after the stream ended
  // while the job still runs) resumes after the last seq seen.
  const [connection, setConnection] = useState(0)
  const [live, setLive] = useState(false)
  const [streamProblem, setStreamProblem] = useState<ProblemDescription | null>(null)
  const [actionProblem, setActionProblem] = useState<ProblemDescription | null>(null)
  const [cancelState, cancelJob] = useMutation(CancelJobMutation)
  const [retryState, retryJob] = useMutation(RetryJobMutation)
  const deletion = useDeleteCluster()
  const logRef = useRef(log)
  useEffect(() => {
    logRef.current = log
  }, [log])

  useEffect(() => {
    const after = lastSeq(logRef.current)
    setLive(true)
    setStreamProblem(null)
    const { unsubscribe } = pipe(
      client.subscription(JobProgressSubscription, { jobId: id, after }),
      onEnd(() => {
        setLive(false)
        refetchJob({ requestPolicy: 'network-only' })
      }),
      subscribe((result) => {
        if (result.error) setStreamProblem(describeError(result.error))
        const event = result.data?.jobProgress
        if (event) dispatch({ type: 'events', events: [event] })
      }),
    )
    return () => {
      unsubscribe()
      setLive(false)
    }
  }, [client, id, connection, refetchJob])

  const data = job.data?.job
  const last = log.events.length ? log.events[log.events.length - 1] : null
  // While the stream is live its events are the newest word; once it ended, the job
  // (read again then) is.
  const status = live && last ? last.status : (data?.status ?? last?.status ?? 'queued')
  const percent = Math.max(0, Math.min(100, live && last ? last.percent : (data?.percent ?? last?.percent ?? 0)))
  const running = !isFinal(status)

  // The stream ended but the job still runs (the server dropped a slow subscriber, or a
  // retried job): follow it again from the last seq seen.
  useEffect(() => {
    if (live || !data || isFinal(data.status) || job.fetching) return
    const timer = setTimeout(() => setConnection((c) => c + 1), 1000)
    return () => clearTimeout(timer)
  }, [live, data, job.fetching])

  // A finished cluster job changes the cluster list (the sidebar's menu among others) or
  // a cluster's add-ons: drop the cache once, so every query reads it again.
  const kind = data?.kind
  const refreshed = useRef(false)
  useEffect(() => {
    if (refreshed.current || live || !data || data.status !== 'succeeded') return
    if (kind !== 'cluster.create' && kind !== 'cluster.delete' && kind !== 'cluster.resize' && kind !== 'cluster.addon') return
    refreshed.current = true
    resetClient()
  }, [live, data, kind, resetClient])

  const started = data?.startedAt ? Date.parse(data.startedAt) : null
  const finished = data?.finishedAt && !running ? Date.parse(data.finishedAt) : null
  const now = useNow(running && started !== null)

  const logEnd = useRef<HTMLLIElement>(null)
  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: 'nearest' })
  }, [log])

  const onCancel = useCallback(async () => {
    setActionProblem(null)
    const result = await cancelJob({ id }, { additionalTypenames: ['Job'] })
    if (result.error) setActionProblem(describeError(result.error))
  }, [cancelJob, id])

  const onRetry = useCallback(async () => {
    setActionProblem(null)
    const result = await retryJob({ id }, { additionalTypenames: ['Job'] })
    if (result.error) {
      setActionProblem(describeError(result.error))
      return
    }
    refreshed.current = false
    setConnection((c) => c + 1)
  }, [retryJob, id])

  if (job.error && !job.data) {
    return <ErrorState error={job.error} title="The job could not be loaded" onRetry={() => refetchJob({ requestPolicy: 'network-only' })} />
  }
  if (!job.data) return <Loading label="Loading the job…" />
  if (!data) {
    return (
      <ErrorState
        problem={{ message: `There is no job ${id}.`, code: 'NOT_FOUND' }}
        title="Unknown job"
      />
    )
  }

  const stepList = steps(log, status)
  const error = data.error || (status === 'failed' ? [...log.events].reverse().find((e) => e.level === 'error')?.message : '')

  return (
    <>
      <section className="panel stack" aria-labelledby="job-summary-heading">
        <h2 id="job-summary-heading">{jobKindLabel(data.kind)}</h2>
        <div className={styles.summary}>
          <span>
            Status <JobStatusBadge status={status} />
          </span>
          <span>
            Kind <code>{data.kind}</code>
          </span>
          <span>
            Elapsed{' '}
            <span data-testid="job-elapsed">{started !== null ? formatElapsed((finished ?? now) - started) : '—'}</span>
          </span>
          <span>
            Started by {data.createdBy} <Time value={data.createdAt} />
          </span>
          {data.attempts > 1 && <span>Attempt {data.attempts}</span>}
        </div>
        <div>
          <div
            className={styles.progress}
            role="progressbar"
            aria-label="Progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={`${percent}%`}
          >
            <div className={styles.progressFill} data-status={status} style={{ width: `${percent}%` }} />
          </div>
          <p className="muted" data-testid="job-percent">
            {percent}% {running && last ? `· ${last.step}` : ''}
          </p>
        </div>
        {status === 'failed' && error && (
          <p className="form-error" role="alert" data-testid="job-error">
            {error}
          </p>
        )}
        {actionProblem && (
          <p className="form-error" role="alert">
            {actionProblem.message} <span className="code-tag">{actionProblem.code}</span>
          </p>
        )}
        {streamProblem && running && (
          <p className="form-error" role="alert">
            The live progress stopped: {streamProblem.message} <span className="code-tag">{streamProblem.code}</span>{' '}
            <button type="button" className="btn btn--secondary btn--small" onClick={() => setConnection((c) => c + 1)}>
              Reconnect
            </button>
          </p>
        )}
        <div className="row">
          {(status === 'queued' || status === 'running') && (
            <button type="button" className="btn btn--danger" disabled={cancelState.fetching} onClick={() => void onCancel()}>
              {cancelState.fetching ? 'Cancelling…' : 'Cancel job'}
            </button>
          )}
          {(status === 'failed' || status === 'cancelled') && (
            <button type="button" className="btn btn--primary" disabled={retryState.fetching} onClick={() => void onRetry()}>
              {retryState.fetching ? 'Retrying…' : 'Retry'}
            </button>
          )}
          {data.kind === 'cluster.create' && (status === 'failed' || status === 'cancelled') && data.clusterId && data.clusterName && (
            <button
              type="button"
              className="btn btn--danger"
              onClick={() => deletion.ask({ id: data.clusterId ?? '', name: data.clusterName ?? '' })}
            >
              Delete what it made
            </button>
          )}
          <Link className="btn btn--secondary" to="/operations/clusters">
            Back to clusters
          </Link>
        </div>
        {deletion.dialog}
      </section>

      <section className="panel stack" aria-labelledby="job-steps-heading">
        <h2 id="job-steps-heading">Steps</h2>
        {stepList.length === 0 ? (
          <p className="muted">No step has started yet.</p>
        ) : (
          <ol className={styles.steps} aria-label="Steps">
            {stepList.map((s) => (
              <li key={s.name} className={styles.step} data-state={s.state}>
                <span className={styles.tick} aria-hidden="true">
                  {s.state === 'done' ? '✓' : s.state === 'current' ? '…' : '✗'}
                </span>
                <span>{s.name}</span>
                <span className="visually-hidden">({s.state})</span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="panel stack" aria-labelledby="job-log-heading">
        <h2 id="job-log-heading">Log</h2>
        <ol className={styles.log} aria-label="Job log" data-testid="job-log">
          {log.events.map((e) => (
            <li key={e.seq} className={styles.logLine} data-seq={e.seq}>
              <span className={styles.logTime}>
                <Time value={e.at} />
              </span>
              <LevelBadge level={e.level} />
              <span>{e.message}</span>
            </li>
          ))}
          <li ref={logEnd} aria-hidden="true" />
        </ol>
      </section>
    </>
  )
}

// JobPage (/operations/jobs/:id) streams a provisioning job's progress (operators only).
export function JobPage() {
  const { id = '' } = useParams()
  return (
    <RequireOperator title="Provisioning job">
      <div className="page">
        <PageHeader title={`Job ${id}`} description="Live progress of a provisioning job: its steps, percent done and log." />
        <JobProgress key={id} id={id} />
      </div>
    </RequireOperator>
  )
}
