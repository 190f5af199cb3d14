import { Link } from 'react-router'
import { useQuery } from 'urql'
import { ClusterStatusBadge } from '../../components/ClusterStatusBadge'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { PageHeader } from '../../components/PageHeader'
import { useViewer } from '../../components/RequireViewer'
import { StatusIndicator, healthDetail, healthView } from '../../components/StatusIndicator'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'
import type { OverviewQuery } from '../../gql/graphql'
import { describeSize } from '../../lib/capacity'
import { IngressSection } from './IngressSection'
import { NodesSection } from './NodesSection'
import { ResizeSection } from './ResizeSection'

// Everything here is for every signed-in user; the nodes (admins only) have their own
// query in NodesSection.
const OverviewQueryDoc = graphql(`
  query Overview {
    viewer {
      id
      isClusterAdmin
      activeCluster {
        id
        name
        baseDomain
        apiURL
        wildcardHost
        healthzURL
        status
        createdAt
        version
        health {
          healthy
          message
          checkedAt
        }
        controlPlaneOnly
        resizable
        size {
          workers
          workerVcpu
          workerRamGb
          workerDiskGb
          registryDbGb
        }
        protectedNamespaces
        adminRoles {
          id
          name
        }
      }
    }
  }
`)

type Cluster = NonNullable<NonNullable<OverviewQuery['viewer']>['activeCluster']>

function ClusterFacts({ cluster }: { cluster: Cluster }) {
  const size = describeSize(cluster.size)
  return (
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
          <dt>Health</dt>
          <dd data-testid="cluster-health">
            <span className="row">
              <StatusIndicator view={healthView(cluster.health.healthy)} />
              {healthDetail(cluster.health.healthy, cluster.health.message) && <span>{healthDetail(cluster.health.healthy, cluster.health.message)}</span>}
              <span className="muted">
                checked <Time value={cluster.health.checkedAt} />
              </span>
            </span>
          </dd>
          <dt>Kubernetes version</dt>
          <dd>{cluster.version ? <code>{cluster.version}</code> : <span className="muted">unknown: the API server did not answer</span>}</dd>
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

      <section className="panel" aria-labelledby="cluster-size">
        <h2 id="cluster-size">Provisioned size</h2>
        {cluster.controlPlaneOnly ? (
          <p data-testid="control-plane-only">
            A control-plane-only cluster: its etcd, API server and controller manager run on the panel's host, with no worker nodes, so it runs no
            workloads. It is for trying the panel and kubectl.
          </p>
        ) : (
          <dl className="facts">
            <dt>Workers</dt>
            <dd>
              {size.workers} <span className="muted">({size.total})</span>
            </dd>
            <dt>Registry database</dt>
            <dd>{size.registry}</dd>
          </dl>
        )}
      </section>

      <section className="panel" aria-labelledby="cluster-access">
        <h2 id="cluster-access">Administration</h2>
        <dl className="facts">
          <dt>Admin roles</dt>
          <dd>
            {cluster.adminRoles.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul className="inline-list" aria-label="Admin roles">
                {cluster.adminRoles.map((r) => (
                  <li key={r.id}>
                    <span title={`Keystone role ID ${r.id} (the Kubernetes group)`}>{r.name}</span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Protected namespaces</dt>
          <dd>
            <ul className="inline-list" aria-label="Protected namespaces">
              {cluster.protectedNamespaces.map((ns) => (
                <li key={ns}>
                  <code>{ns}</code> <span className="badge badge--info">managed by the panel</span>
                </li>
              ))}
            </ul>
            <span className="field__hint">The panel creates no bindings or objects there for anything but its own purposes.</span>
          </dd>
        </dl>
      </section>
    </>
  )
}

// OverviewPage (/) shows the active cluster: its facts and health for everyone, its nodes
// for its admins.
export function OverviewPage() {
  const viewer = useViewer()
  const [result, refetch] = useQuery({ query: OverviewQueryDoc })
  const cluster = result.data?.viewer?.activeCluster ?? null
  const isAdmin = result.data?.viewer?.isClusterAdmin ?? false

  let body
  if (result.error && !cluster) {
    // An error with no cluster may be a failed field that nulled the cluster: never claim
    // that there is no cluster then.
    body = <ErrorState error={result.error} title="The cluster could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  } else if (!result.data) {
    body = <Loading label="Loading the cluster…" />
  } else if (!cluster) {
    body = (
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
    )
  } else {
    body = (
      <>
        {result.error && <ErrorState error={result.error} title="Some of the cluster’s facts could not be loaded" />}
        <ClusterFacts cluster={cluster} />
        <IngressSection
          clusterId={cluster.id}
          wildcardHost={cluster.wildcardHost}
          healthzURL={cluster.healthzURL}
          showReplicas={isAdmin || viewer.isOperator}
        />
        {isAdmin && <NodesSection clusterName={cluster.name} />}
        {isAdmin && cluster.resizable && <ResizeSection clusterId={cluster.id} clusterName={cluster.name} size={cluster.size} />}
        <section className="panel" aria-labelledby="next-steps">
          <h2 id="next-steps">Use it with kubectl</h2>
          <p>
            Create an API token under <Link to="/tokens">Tokens</Link>: the panel shows the kubectl command and builds a kubeconfig for this cluster.
          </p>
        </section>
      </>
    )
  }

  return (
    <div className="page">
      <PageHeader
        title={cluster ? `Cluster ${cluster.name}` : 'Cluster overview'}
        description="The cluster every page of this panel acts on. Change it with the menu at the top left."
        actions={
          cluster ? (
            <button type="button" className="btn btn--secondary" disabled={result.fetching} onClick={() => refetch({ requestPolicy: 'network-only' })}>
              {result.fetching ? 'Checking…' : 'Check again'}
            </button>
          ) : undefined
        }
      />
      {body}
    </div>
  )
}
