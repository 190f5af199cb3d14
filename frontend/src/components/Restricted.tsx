import type { ReactNode } from 'react'
import { ErrorState } from './ErrorState'
import { PageHeader } from './PageHeader'
import { useViewer } from './RequireViewer'

// adminOnlyProblem is what a non-admin sees on an admin page of the cluster clusterName
// (null: there is no active cluster).
export function adminOnlyProblem(clusterName: string | null): { title: string; message: string } {
  if (clusterName === null) {
    return {
      title: 'Only admins of the active cluster',
      message: 'There is no active cluster yet, so there is nothing to administer. An operator adopts or provisions one.',
    }
  }
  return {
    title: `Only admins of ${clusterName}`,
    message: `This page is for admins of cluster ${clusterName}, and you do not hold one of its admin roles. Ask one of its admins, or choose another cluster.`,
  }
}

// AdminOnlyState says that a page is for the active cluster's admins only. Pages show it
// for a viewer the shell knows is no admin, and when the server answers FORBIDDEN (admin
// rights are checked again on the server for every request).
export function AdminOnlyState({ clusterName }: { clusterName: string | null }) {
  const p = adminOnlyProblem(clusterName)
  return <ErrorState title={p.title} problem={{ message: p.message, code: 'FORBIDDEN' }} />
}

// RequireClusterAdmin shows its page to admins of the active cluster only (and, with
// allowOperator, to operators, who may read across clusters). The server checks every
// admin action itself; this only spares others a page of errors.
export function RequireClusterAdmin({
  title,
  allowOperator = false,
  children,
}: {
  title: string
  allowOperator?: boolean
  children: ReactNode
}) {
  const viewer = useViewer()
  if (viewer.isClusterAdmin || (allowOperator && viewer.isOperator)) return children
  return (
    <div className="page">
      <PageHeader title={title} />
      <AdminOnlyState clusterName={viewer.activeCluster?.name ?? null} />
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
