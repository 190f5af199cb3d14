import type { ReactNode } from 'react'
import { ErrorState } from './ErrorState'
import { PageHeader } from './PageHeader'
import { useViewer } from './RequireViewer'

// RequireClusterAdmin shows its page to admins of the active cluster only. The server
// checks every admin action itself; this only spares others a page of errors.
export function RequireClusterAdmin({ title, children }: { title: string; children: ReactNode }) {
  const viewer = useViewer()
  if (viewer.isClusterAdmin) return children
  return (
    <div className="page">
      <PageHeader title={title} />
      <ErrorState
        title="Administrators of the active cluster only"
        problem={{
          message: viewer.activeCluster
            ? `You do not hold an admin role of cluster ${viewer.activeCluster.name}. Ask one of its admins, or choose another cluster.`
            : 'There is no active cluster yet.',
          code: 'FORBIDDEN',
        }}
      />
    </div>
  )
}

// RequireOperator shows its page to operators of the environment only.
export function RequireOperator({ title, children }: { title: string; children: ReactNode }) {
  const viewer = useViewer()
  if (viewer.isOperator) return children
  return (
    <div className="page">
      <PageHeader title={title} />
      <ErrorState
        title="Operators only"
        problem={{ message: 'This page needs the environment’s operator role in Keystone.', code: 'FORBIDDEN' }}
      />
    </div>
  )
}
