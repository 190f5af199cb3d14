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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

// ClustersPage (/operations/clusters) lists the environment's clusters and adopts
// running ones (operators only).
export function ClustersPage() {
  return (
    <RequireOperator title="Clusters">
      <div className="page">
        <PageHeader title="Clusters" description="Every cluster of this environment. Operators adopt running clusters here." />
        <section aria-labelledby="clusters-heading" className="stack">
          <h2 id="clusters-heading">Clusters</h2>
          <ClusterList />
        </section>
        <AdoptClusterForm />
      </div>
    </RequireOperator>
  )
}
