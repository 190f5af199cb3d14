import { useId, useMemo, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { useMutation, useQuery } from 'urql'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { describeSize } from '../../../lib/capacity'
import { ProblemAlert } from '../../../components/ProblemAlert'

const ResizeRequestsQuery = graphql(`
  query ResizeRequests {
    resizeRequests {
      id
      clusterId
      clusterName
      status
      size {
        workers
        workerVcpu
        workerRamGb
        workerDiskGb
        registryDbGb
      }
      from {
        workers
        workerVcpu
        workerRamGb
        workerDiskGb
        registryDbGb
      }
      reason
      requestedBy
      createdAt
      decidedBy
      decisionReason
      job {
        id
        status
      }
    }
  }
`)

const ApproveResizeMutation = graphql(`
  mutation ApproveResize($id: ID!) {
    approveResize(id: $id) {
      id
      status
      job {
        id
      }
    }
  }
`)

const DeclineResizeMutation = graphql(`
  mutation DeclineResize($id: ID!, $reason: String!) {
    declineResize(id: $id, reason: $reason) {
      id
      status
    }
  }
`)

// DeclineForm asks why before declining: the requester sees the reason.
function DeclineForm({ id, onDone }: { id: string; onDone: () => void }) {
  const inputId = useId()
  const [reason, setReason] = useState('')
  const [state, decline] = useMutation(DeclineResizeMutation)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  return (
    <form
      className="form"
      noValidate
      aria-label="Decline the request"
      onSubmit={(e) => {
        e.preventDefault()
        setProblem(null)
        void decline({ id, reason }, { additionalTypenames: ['ResizeRequest'] }).then((answer) => {
          if (answer.error) setProblem(describeError(answer.error))
          else onDone()
        })
      }}
    >
      <div className="field">
        <label htmlFor={inputId}>Why (shown to the requester)</label>
        <input id={inputId} className="input" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <ProblemAlert problem={problem} />
      <button type="submit" className="btn btn--danger-quiet btn--small" disabled={state.fetching || reason.trim() === ''}>
        Decline
      </button>
    </form>
  )
}

// ResizeRequests lists cluster admins' resize requests for operators: the pending ones
// are approved into a resize job or declined with a reason.
export function ResizeRequests() {
  const navigate = useNavigate()
  const context = useMemo(() => ({ additionalTypenames: ['ResizeRequest', 'Job'] }), [])
  const [result, refetch] = useQuery({ query: ResizeRequestsQuery, context })
  const [approval, approve] = useMutation(ApproveResizeMutation)
  const [declining, setDeclining] = useState<string | null>(null)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)

  async function onApprove(id: string) {
    setProblem(null)
    const answer = await approve({ id }, { additionalTypenames: ['ResizeRequest', 'Job'] })
    if (answer.error || !answer.data) {
      setProblem(answer.error ? describeError(answer.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    const job = answer.data.approveResize.job
    if (job) navigate(`/operations/jobs/${encodeURIComponent(job.id)}`)
  }

  let body
  if (result.error && !result.data) {
    body = <ErrorState error={result.error} title="The resize requests could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  } else if (!result.data) {
    body = <Loading label="Loading resize requests…" />
  } else if (result.data.resizeRequests.length === 0) {
    body = <EmptyState title="No resize requests">Cluster admins ask for a resize on their cluster’s Overview.</EmptyState>
  } else {
    body = (
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Resize requests</caption>
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">From → to</th>
              <th scope="col">Asked by</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.data.resizeRequests.map((r) => (
              <tr key={r.id} data-testid="resize-request">
                <th scope="row">{r.clusterName ?? <span className="muted">deleted</span>}</th>
                <td>
                  {r.from ? `${r.from.workers} → ` : ''}
                  {describeSize(r.size).workers}
                </td>
                <td>
                  {r.requestedBy}
                  <br />
                  <Time value={r.createdAt} />
                </td>
                <td>{r.reason || <span className="muted">none given</span>}</td>
                <td>
                  {r.status === 'PENDING' && 'pending'}
                  {r.status === 'APPROVED' && (
                    <>
                      approved by {r.decidedBy}
                      {r.job && (
                        <>
                          {' '}
                          (<Link to={`/operations/jobs/${encodeURIComponent(r.job.id)}`}>job {r.job.status}</Link>)
                        </>
                      )}
                    </>
                  )}
                  {r.status === 'DECLINED' && (
                    <>
                      declined by {r.decidedBy}: “{r.decisionReason}”
                    </>
                  )}
                </td>
                <td className="actions">
                  {r.status === 'PENDING' && (
                    <>
                      <button
                        type="button"
                        className="btn btn--primary btn--small"
                        disabled={approval.fetching}
                        aria-label={`Approve the resize of ${r.clusterName ?? 'the cluster'} to ${r.size.workers} workers`}
                        onClick={() => void onApprove(r.id)}
                      >
                        Approve
                      </button>
                      {declining === r.id ? (
                        <DeclineForm id={r.id} onDone={() => setDeclining(null)} />
                      ) : (
                        <button type="button" className="btn btn--secondary btn--small" onClick={() => setDeclining(r.id)}>
                          Decline…
                        </button>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )
  }
  return (
    <section aria-labelledby="resize-heading" className="stack">
      <h2 id="resize-heading">Resize requests</h2>
      <ProblemAlert problem={problem} />
      {body}
    </section>
  )
}
