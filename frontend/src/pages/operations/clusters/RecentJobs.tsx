import { useMemo } from 'react'
import { Link } from 'react-router'
import { useQuery } from 'urql'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import { usePolling } from '../../../graphql/usePolling'
import { JobStatusBadge, jobKindLabel } from '../jobs/JobStatusBadge'

const RecentJobsQuery = graphql(`
  query RecentJobs($first: Int) {
    jobs(first: $first) {
      id
      kind
      status
      stepName
      percent
      createdBy
      createdAt
    }
  }
`)

// RecentJobs lists the newest provisioning jobs, each linking to its progress page.
export function RecentJobs() {
  const context = useMemo(() => ({ additionalTypenames: ['Job'] }), [])
  const [result, refetch] = useQuery({ query: RecentJobsQuery, variables: { first: 20 }, context })
  const active = result.data?.jobs.some((j) => j.status === 'queued' || j.status === 'running') ?? false
  usePolling(() => refetch({ requestPolicy: 'network-only' }), 5000, active)
  let body
  if (result.error && !result.data) {
    body = <ErrorState error={result.error} title="The jobs could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  } else if (!result.data) {
    body = <Loading label="Loading jobs…" />
  } else if (result.data.jobs.length === 0) {
    body = <EmptyState title="No jobs yet">Provisioning and deleting a cluster each run as a job.</EmptyState>
  } else {
    body = (
      <div className="table-wrap">
        <table className="table" data-testid="jobs-table">
          <caption className="visually-hidden">Recent provisioning jobs</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Step</th>
              <th scope="col" className="num">
                Done
              </th>
              <th scope="col">Started by</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {result.data.jobs.map((j) => (
              <tr key={j.id}>
                <th scope="row">
                  <Link to={`/operations/jobs/${encodeURIComponent(j.id)}`}>{jobKindLabel(j.kind)}</Link>
                </th>
                <td>
                  <JobStatusBadge status={j.status} />
                </td>
                <td>{j.stepName || <span className="muted">—</span>}</td>
                <td className="num">{j.percent}%</td>
                <td>{j.createdBy}</td>
                <td>
                  <Time value={j.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )
  }
  return (
    <section aria-labelledby="jobs-heading" className="stack">
      <h2 id="jobs-heading">Recent jobs</h2>
      {body}
    </section>
  )
}
