import { Link } from 'react-router'
import { useQuery } from 'urql'
import { ClusterStatusBadge } from '../../components/ClusterStatusBadge'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { PageHeader } from '../../components/PageHeader'
import { useViewer } from '../../components/RequireViewer'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'

const OverviewQuery = graphql(`
  query Overview {
    viewer {
      id
      activeCluster {
        id
        name
        baseDomain
        apiURL
        status
        createdAt
      }
    }
  }
`)

// OverviewPage (/) shows the active cluster.
export function OverviewPage() {
  const viewer = useViewer()
  const [result, refetch] = useQuery({ query: OverviewQuery })
  const cluster = result.data?.viewer?.activeCluster

  return (
    <div className="page">
      <PageHeader title={cluster ? `Cluster ${cluster.name}` : 'Cluster overview'} description="The cluster every page of this panel acts on. Change it with the menu at the top left." />
      {result.error && !result.data ? (
        <ErrorState error={result.error} title="The cluster could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
      ) : !result.data ? (
        <Loading label="Loading the cluster…" />
      ) : !cluster ? (
        <EmptyState
          title="No cluster yet: an operator adopts or provisions one"
          action={
            viewer.isOperator ? (
              <Link className="btn btn--primary" to="/operations/clusters">
                Adopt a cluster
              </Link>
            ) : undefined
          }
        >
          {viewer.isOperator
            ? 'You are an operator: adopt a running cluster under Operations → Clusters.'
            : 'Ask an operator of this environment to add a cluster. You can already create API tokens: they will work on every cluster.'}
        </EmptyState>
      ) : (
        <>
          <section className="panel" aria-labelledby="cluster-facts">
            <h2 id="cluster-facts">Cluster</h2>
            <dl className="facts">
              <dt>Name</dt>
              <dd>{cluster.name}</dd>
              <dt>Status</dt>
              <dd>
                <ClusterStatusBadge status={cluster.status} />
              </dd>
              <dt>API server</dt>
              <dd>
                <code>{cluster.apiURL}</code>
              </dd>
              <dt>Services domain</dt>
              <dd>
                <code>{cluster.baseDomain}</code>
              </dd>
              <dt>Created</dt>
              <dd>
                <Time value={cluster.createdAt} />
              </dd>
            </dl>
          </section>
          <section className="panel" aria-labelledby="next-steps">
            <h2 id="next-steps">Use it with kubectl</h2>
            <p>
              Create an API token under <Link to="/tokens">Tokens</Link>: the panel shows the
              kubectl command and builds a kubeconfig for this cluster.
            </p>
          </section>
        </>
      )}
    </div>
  )
}
