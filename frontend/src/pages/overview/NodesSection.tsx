import { useQuery } from 'urql'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { graphql } from '../../gql'
import type { OverviewNodesQuery } from '../../gql/graphql'
import { isForbidden } from '../../graphql/errors'
import { formatGiB, nodeTotals } from '../../lib/capacity'

// The nodes are for the cluster's admins: a query of their own, so that a regular user's
// overview never asks for them.
const OverviewNodesQueryDoc = graphql(`
  query OverviewNodes {
    viewer {
      id
      activeCluster {
        id
        nodes {
          name
          ready
          roles
          kubeletVersion
          vcpu
          memoryBytes
          storageBytes
        }
      }
    }
  }
`)

export type ClusterNode = NonNullable<NonNullable<OverviewNodesQuery['viewer']>['activeCluster']>['nodes'][number]

// NodeTable shows nodes with their capacity and the totals.
export function NodeTable({ nodes }: { nodes: readonly ClusterNode[] }) {
  const totals = nodeTotals(nodes)
  return (
    <div className="table-wrap">
      <table className="table" data-testid="node-table">
        <caption className="visually-hidden">Nodes of the cluster and their capacity</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Ready</th>
            <th scope="col">Roles</th>
            <th scope="col">Kubelet</th>
            <th scope="col" className="num">
              vCPU
            </th>
            <th scope="col" className="num">
              RAM (GiB)
            </th>
            <th scope="col" className="num">
              Storage (GiB)
            </th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.name}>
              <th scope="row">{n.name}</th>
              <td>
                <span className={`badge ${n.ready ? 'badge--success' : 'badge--danger'}`}>{n.ready ? 'Ready' : 'Not ready'}</span>
              </td>
              <td>{n.roles.length > 0 ? n.roles.join(', ') : <span className="muted">—</span>}</td>
              <td>
                <code>{n.kubeletVersion}</code>
              </td>
              <td className="num">{n.vcpu}</td>
              <td className="num">{formatGiB(n.memoryBytes)}</td>
              <td className="num">{formatGiB(n.storageBytes)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total: {totals.nodes === 1 ? '1 node' : `${totals.nodes} nodes`}</th>
            <td>{`${totals.ready} of ${totals.nodes} ready`}</td>
            <td />
            <td />
            <td className="num">{totals.vcpu}</td>
            <td className="num">{formatGiB(totals.memoryBytes)}</td>
            <td className="num">{formatGiB(totals.storageBytes)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  )
}

// NodesSection fetches and shows the active cluster's nodes (admins only).
export function NodesSection({ clusterName }: { clusterName: string }) {
  const [result, refetch] = useQuery({ query: OverviewNodesQueryDoc })
  const nodes = result.data?.viewer?.activeCluster?.nodes
  let body
  if (result.error && !nodes) {
    body = isForbidden(result.error) ? (
      <p className="muted">Nodes are shown to admins of {clusterName} only.</p>
    ) : (
      <ErrorState error={result.error} title="The nodes could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    )
  } else if (!nodes) {
    body = <Loading label="Loading the nodes…" />
  } else if (nodes.length === 0) {
    body = <EmptyState title="The cluster reports no nodes">Nodes appear here once they join the cluster.</EmptyState>
  } else {
    body = <NodeTable nodes={nodes} />
  }
  return (
    <section aria-labelledby="nodes-heading" className="stack">
      <h2 id="nodes-heading">Nodes</h2>
      {body}
    </section>
  )
}
