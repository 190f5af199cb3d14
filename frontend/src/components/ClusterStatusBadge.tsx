import type { ClusterStatus } from '../gql/graphql'

const tone: Record<ClusterStatus, string> = {
  READY: 'badge--success',
  PROVISIONING: 'badge--info',
  DELETING: 'badge--warning',
  FAILED: 'badge--danger',
}

// ClusterStatusBadge shows where a cluster is in its life.
export function ClusterStatusBadge({ status }: { status: ClusterStatus }) {
  return <span className={`badge ${tone[status]}`}>{status.toLowerCase()}</span>
}
