import { useId, useMemo, useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorState } from '../../components/ErrorState'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'
import type { ResizeStatus } from '../../gql/graphql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { ProblemAlert } from '../../components/ProblemAlert'

const ClusterResizeRequestsQuery = graphql(`
  query ClusterResizeRequests($clusterId: ID) {
    resizeRequests(clusterId: $clusterId) {
      id
      status
      size {
        workers
        workerVcpu
        workerRamGb
        workerDiskGb
      }
      reason
      requestedBy
      createdAt
      decidedBy
      decidedAt
      decisionReason
    }
  }
`)

const RequestResizeMutation = graphql(`
  mutation RequestResize($input: ResizeInput!) {
    requestResize(input: $input) {
      id
      status
    }
  }
`)

// STATUS_LABELS say where a request is, in words.
const STATUS_LABELS: Record<ResizeStatus, string> = {
  PENDING: 'waiting for an operator',
  APPROVED: 'approved: the resize job runs',
  DECLINED: 'declined',
}

type WorkerSize = { workers: number; workerVcpu: number; workerRamGb: number; workerDiskGb: number }

// resizeInput turns the form's text fields into the mutation's input: workers as a whole
// number, and only the per-worker values that differ from today's (unset keeps them).
export function resizeInput(clusterId: string, current: WorkerSize, form: Record<keyof WorkerSize, string>, reason: string) {
  const num = (s: string) => (s.trim() === '' ? NaN : Number(s))
  const changed = (key: 'workerVcpu' | 'workerRamGb' | 'workerDiskGb') => {
    const v = num(form[key])
    return Number.isInteger(v) && v !== current[key] ? v : undefined
  }
  return {
    clusterId,
    workers: num(form.workers),
    workerVcpu: changed('workerVcpu'),
    workerRamGb: changed('workerRamGb'),
    workerDiskGb: changed('workerDiskGb'),
    reason: reason.trim() === '' ? undefined : reason.trim(),
  }
}

const FIELDS: { key: keyof WorkerSize; label: string; min: number; max: number }[] = [
  { key: 'workers', label: 'Workers', min: 1, max: 100 },
  { key: 'workerVcpu', label: 'vCPUs per new worker', min: 1, max: 256 },
  { key: 'workerRamGb', label: 'GB of RAM per new worker', min: 1, max: 4096 },
  { key: 'workerDiskGb', label: 'GB of disk per new worker', min: 10, max: 16384 },
]

// ResizeSection (on the Overview, for the active cluster's admins) asks the operators to
// resize the cluster's workers and shows what became of earlier requests.
export function ResizeSection({ clusterId, clusterName, size }: { clusterId: string; clusterName: string; size: WorkerSize }) {
  const ids = useId()
  const context = useMemo(() => ({ additionalTypenames: ['ResizeRequest'] }), [])
  const [list, refetch] = useQuery({ query: ClusterResizeRequestsQuery, variables: { clusterId }, context })
  const [state, requestResize] = useMutation(RequestResizeMutation)
  const initial = () => ({
    workers: String(size.workers),
    workerVcpu: String(size.workerVcpu),
    workerRamGb: String(size.workerRamGb),
    workerDiskGb: String(size.workerDiskGb),
  })
  const [form, setForm] = useState(initial)
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const [sent, setSent] = useState(false)
  const requests = list.data?.resizeRequests ?? []
  const pending = requests.some((r) => r.status === 'PENDING')

  async function onSubmit(e: FormEvent) {
    e.preventDefault()
    setProblem(null)
    setSent(false)
    const answer = await requestResize({ input: resizeInput(clusterId, size, form, reason) }, { additionalTypenames: ['ResizeRequest'] })
    if (answer.error || !answer.data) {
      setProblem(answer.error ? describeError(answer.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    setSent(true)
    setReason('')
  }

  return (
    <section className="panel" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>Resize</h2>
      <p>
        Ask the operators to change the number of <strong>{clusterName}</strong>’s workers. They approve the request into a resize job (new workers join with
        kubeadm; removed ones are drained first) or decline it with a reason.
      </p>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)} aria-label="Request a resize">
        <fieldset className="form-row fieldset" disabled={pending}>
          <legend>New size</legend>
          {FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`${ids}-${f.key}`}>{f.label}</label>
              <input
                id={`${ids}-${f.key}`}
                className="input input--number"
                type="number"
                inputMode="numeric"
                min={f.min}
                max={f.max}
                step={1}
                value={form[f.key]}
                onChange={(e) => setForm((s) => ({ ...s, [f.key]: e.target.value }))}
              />
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${ids}-reason`}>Reason for the operators</label>
          <textarea id={`${ids}-reason`} className="textarea" maxLength={1000} value={reason} disabled={pending} onChange={(e) => setReason(e.target.value)} />
        </div>
        <div aria-live="polite">
          <ProblemAlert problem={problem} />
          {sent && <p role="status">Your request was sent to the operators.</p>}
          {pending && !sent && <p className="muted">A request is waiting for an operator: a new one can be made once it is decided.</p>}
        </div>
        <div>
          <button type="submit" className="btn btn--primary" disabled={state.fetching || pending}>
            {state.fetching ? 'Sending…' : 'Request resize'}
          </button>
        </div>
      </form>
      {list.error && !list.data && <ErrorState error={list.error} title="Earlier requests could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />}
      {requests.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Resize requests">
            <thead>
              <tr>
                <th scope="col">Asked</th>
                <th scope="col">Workers</th>
                <th scope="col">By</th>
                <th scope="col">Status</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id} data-testid="resize-request">
                  <td>
                    <Time value={r.createdAt} />
                  </td>
                  <td>{r.size.workers}</td>
                  <td>{r.requestedBy}</td>
                  <td>{STATUS_LABELS[r.status]}</td>
                  <td>
                    {r.decidedBy ? (
                      <>
                        {r.decidedBy}
                        {r.decisionReason && <>: “{r.decisionReason}”</>}
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
