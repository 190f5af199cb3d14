import { Link, useLocation } from 'react-router'
import { EmptyState } from '../../components/EmptyState'
import { PageHeader } from '../../components/PageHeader'

// NotFoundPage answers any path the app does not know.
export function NotFoundPage() {
  const location = useLocation()
  return (
    <div className="page">
      <PageHeader title="Page not found" />
      <EmptyState
        title={`There is no page at ${location.pathname}`}
        action={
          <Link className="btn btn--primary" to="/">
            Go to the cluster overview
          </Link>
        }
      >
        Check the address, or pick a page in the menu.
      </EmptyState>
    </div>
  )
}
