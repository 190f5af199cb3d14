import { useMemo, useState } from 'react'
import { useQuery } from 'urql'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { PageHeader } from '../../../components/PageHeader'
import { AdminOnlyState, RequireClusterAdmin } from '../../../components/Restricted'
import { useViewer } from '../../../components/RequireViewer'
import { graphql } from '../../../gql'
import { isForbidden } from '../../../graphql/errors'
import { BindingTable } from './BindingTable'
import { CreateBindingForm } from './CreateBindingForm'

const AccessPageQueryDoc = graphql(`
  query AccessPage {
    viewer {
      id
      activeCluster {
        id
        name
        protectedNamespaces
      }
    }
    bindings {
      id
      name
      namespace
      roleKind
      roleName
      subjects {
        kind
        id
        name
        domain
        keystoneId
      }
      protected
      createdAt
    }
  }
`)

const TITLE = 'Access'

function AccessContent() {
  const viewer = useViewer()
  // additionalTypenames: creating or deleting a binding refetches the list even when it
  // was empty (an empty list carries no RoleBinding type for the cache to match).
  const context = useMemo(() => ({ additionalTypenames: ['RoleBinding'] }), [])
  const [result, refetch] = useQuery({ query: AccessPageQueryDoc, context })
  const [announcement, setAnnouncement] = useState('')
  const cluster = result.data?.viewer?.activeCluster ?? null

  let body
  if (result.error && !result.data) {
    body = isForbidden(result.error) ? (
      <AdminOnlyState clusterName={viewer.activeCluster?.name ?? null} />
    ) : (
      <ErrorState error={result.error} title="The bindings could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    )
  } else if (!result.data) {
    body = <Loading label="Loading the bindings…" />
  } else if (!cluster) {
    body = <EmptyState title="No active cluster">Choose a cluster in the menu at the top left.</EmptyState>
  } else {
    body = (
      <>
        <CreateBindingForm clusterId={cluster.id} protectedNamespaces={cluster.protectedNamespaces} onCreated={setAnnouncement} />
        <section aria-labelledby="bindings-heading" className="stack">
          <h2 id="bindings-heading">Bindings on {cluster.name}</h2>
          <p className={announcement ? 'form-success' : 'visually-hidden'} role="status" aria-live="polite">
            {announcement}
          </p>
          {result.data.bindings.length === 0 ? (
            <EmptyState title="No bindings to Keystone roles or users yet">Grant a Kubernetes role with the form above.</EmptyState>
          ) : (
            <BindingTable clusterId={cluster.id} bindings={result.data.bindings} onDeleted={setAnnouncement} />
          )}
        </section>
      </>
    )
  }

  return (
    <div className="page">
      <PageHeader
        title={TITLE}
        description={
          <>
            Keystone roles are Kubernetes groups (the role’s ID is the group name) and Keystone users are Kubernetes users: bind them to Kubernetes roles here.
          </>
        }
      />
      {body}
    </div>
  )
}

// AccessPage (/admin/access) lists, creates and deletes the active cluster's role bindings
// for Keystone roles and users (admins of the cluster only).
export function AccessPage() {
  return (
    <RequireClusterAdmin title={TITLE}>
      <AccessContent />
    </RequireClusterAdmin>
  )
}
