import { useMemo } from 'react'
import { useQuery } from 'urql'
import { ClusterStatusBadge } from '../../../components/ClusterStatusBadge'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { PageHeader } from '../../../components/PageHeader'
import { RequireOperator } from '../../../components/Restricted'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import { AdoptClusterForm } from './AdoptClusterForm'
import { useDeleteCluster } from './DeleteClusterDialog'
import { ProvisionClusterForm } from './ProvisionClusterForm'
import { RecentJobs } from './RecentJobs'
import { ResizeRequests } from './ResizeRequests'

const ClustersPageQuery = graphql(`
  query ClustersPage {
    clusters {
      id
      name
      baseDomain
      apiURL
      status
      createdAt
    }
  }
`)

function ClusterList() {
  const context = useMemo(() => ({ additionalTypenames: ['Cluster'] }), [])
  const [result, refetch] = useQuery({ query: ClustersPageQuery, context })
  const deletion = useDeleteCluster()

  if (result.error && !result.data) {
    return <ErrorState error={result.error} title="The clusters could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  }
  if (!result.data) return <Loading label="Loading clusters…" />
  if (result.data.clusters.length === 0) {
    return <EmptyState title="No clusters yet">Adopt a running cluster with the form below.</EmptyState>
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Clusters of this environment</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">API server</th>
            <th scope="col">Services domain</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {result.data.clusters.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td>
                <ClusterStatusBadge status={c.status} />
              </td>
              <td>
                <code>{c.apiURL}</code>
              </td>
              <td>
                <code>{c.baseDomain}</code>
              </td>
              <td>
                <Time value={c.createdAt} />
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn--danger-quiet btn--small"
                  aria-label={`Delete cluster ${c.name}`}
                  onClick={() => deletion.ask({ id: c.id, name: c.name })}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {deletion.dialog}
    </div>
  )
}

// ClustersPage (/operations/clusters) lists the environment's clusters and adopts
// running ones (operators only).
export function ClustersPage() {
  return (
    <RequireOperator title="Clusters">
      <div className="page">
        <PageHeader title="Clusters" description="Every cluster of this environment. Operators provision, adopt and delete clusters here." />
        <section aria-labelledby="clusters-heading" className="stack">
          <h2 id="clusters-heading">Clusters</h2>
          <ClusterList />
        </section>
        <ResizeRequests />
        <RecentJobs />
        <ProvisionClusterForm />
        <AdoptClusterForm />
      </div>
    </RequireOperator>
  )
}
