import { EmptyState } from '../../../components/EmptyState'
import { PageHeader } from '../../../components/PageHeader'
import { RequireClusterAdmin } from '../../../components/Restricted'

// BackupsPage (/admin/backups) is for admins of the active cluster. The API has no schema for it
// yet; a later release fills it.
export function BackupsPage() {
  return (
    <RequireClusterAdmin title="Backups">
      <div className="page">
        <PageHeader title="Backups" description="Velero backups, schedules and restores of the active cluster." />
        <EmptyState title="Backups are not available yet">The panel’s API does not offer backups yet. Until it does, use the velero CLI against the cluster.</EmptyState>
      </div>
    </RequireClusterAdmin>
  )
}
