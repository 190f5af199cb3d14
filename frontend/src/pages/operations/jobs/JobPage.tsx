import { Link, useParams } from 'react-router'
import { EmptyState } from '../../../components/EmptyState'
import { PageHeader } from '../../../components/PageHeader'
import { RequireOperator } from '../../../components/Restricted'

// JobPage (/operations/jobs/:id) will stream a provisioning job's progress. The API has
// no jobs yet.
export function JobPage() {
  const { id = '' } = useParams()
  return (
    <RequireOperator title="Provisioning job">
      <div className="page">
        <PageHeader title={`Job ${id}`} description="Live progress of a provisioning job: its steps, percent done and log." />
        <EmptyState
          title="Job progress is not available yet"
          action={
            <Link className="btn btn--secondary" to="/operations/clusters">
              Back to clusters
            </Link>
          }
        >
          The panel’s API does not offer provisioning jobs yet.
        </EmptyState>
      </div>
    </RequireOperator>
  )
}
