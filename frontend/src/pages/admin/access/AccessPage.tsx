import { EmptyState } from '../../../components/EmptyState'
import { PageHeader } from '../../../components/PageHeader'
import { RequireClusterAdmin } from '../../../components/Restricted'

// AccessPage (/admin/access) is for admins of the active cluster. The API has no schema for it
// yet; a later release fills it.
export function AccessPage() {
  return (
    <RequireClusterAdmin title="Access">
      <div className="page">
        <PageHeader title="Access" description="Kubernetes role bindings of the active cluster — Keystone roles (Kubernetes groups) and users bound to Kubernetes roles." />
        <EmptyState title="Role bindings are not available yet">The panel’s API does not offer role bindings yet. Until it does, manage ClusterRoleBindings and RoleBindings with kubectl; subjects are Keystone role IDs (as groups) and Keystone user IDs.</EmptyState>
      </div>
    </RequireClusterAdmin>
  )
}
