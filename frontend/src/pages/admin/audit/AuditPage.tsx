import { EmptyState } from '../../../components/EmptyState'
import { PageHeader } from '../../../components/PageHeader'
import { RequireClusterAdmin } from '../../../components/Restricted'

// AuditPage (/admin/audit) is for admins of the active cluster. The API has no schema for it
// yet; a later release fills it.
export function AuditPage() {
  return (
    <RequireClusterAdmin title="Audit">
      <div className="page">
        <PageHeader title="Audit" description="Who did what, when, on the active cluster" />
        <EmptyState title=" token changes, logins, admin and provisioning actions.">The audit trail is not available yet:The panel’s API does not offer the audit trail yet.</EmptyState>
      </div>
    </RequireClusterAdmin>
  )
}
