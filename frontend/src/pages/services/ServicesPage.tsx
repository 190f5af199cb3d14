import { useCallback, useState } from 'react'
import { Link } from 'react-router'
import { useClient, useQuery } from 'urql'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { PageHeader } from '../../components/PageHeader'
import { useViewer } from '../../components/RequireViewer'
import { StatusIndicator, serviceStatusView } from '../../components/StatusIndicator'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'
import type { ServicesPageQuery } from '../../gql/graphql'
import { usePolling } from '../../graphql/usePolling'
import { AddonHealth, AddonsSection, SERVICE_ADDONS, ServicesAddonsQueryDoc } from './AddonsSection'
import type { Addon } from './AddonsSection'

const ServicesPageQueryDoc = graphql(`
  query ServicesPage {
    viewer {
      id
      activeCluster {
        id
        name
        services {
          name
          url
          status
          checkedAt
        }
      }
    }
  }
`)

// POLL_MS is how often the page asks again for the services' status.
export const POLL_MS = 30_000

type Service = NonNullable<NonNullable<ServicesPageQuery['viewer']>['activeCluster']>['services'][number]

// ServiceCard is one service: its link, whether its URL answers and, for operators and the
// cluster's admins, the health of the add-on that runs it.
function ServiceCard({ service, addon }: { service: Service; addon?: Addon }) {
  return (
    <li className="card" data-testid="service-card">
      <h2 className="card__title">
        {service.name}
        <StatusIndicator view={serviceStatusView(service.status)} />
      </h2>
      {addon && <AddonHealth addon={addon} />}
      <a href={service.url} target="_blank" rel="noopener noreferrer">
        {service.url}
        <span className="visually-hidden"> (opens in a new tab)</span>
      </a>
      <span className="card__meta">
        {service.checkedAt ? (
          <>
            Checked <Time value={service.checkedAt} />
          </>
        ) : (
          'Not checked yet'
        )}
      </span>
    </li>
  )
}

// ServicesPage (/services) lists the active cluster's managed services (Kibana, Grafana,
// Prometheus, Harbor) with their links and a live status, asked again every 30 seconds.
export function ServicesPage() {
  const viewer = useViewer()
  const [result, refetch] = useQuery({ query: ServicesPageQueryDoc })
  // A failed poll keeps showing the last answer (marked as old) instead of blanking the
  // page; the last answer is tied to the client, so a cluster switch (a new client) never
  // shows the previous cluster's services.
  const client = useClient()
  const [last, setLast] = useState<{ client: unknown; data: ServicesPageQuery } | null>(null)
  if (result.data && (last?.data !== result.data || last.client !== client)) setLast({ client, data: result.data })
  const data = result.data ?? (last?.client === client ? last.data : undefined)
  const cluster = data?.viewer?.activeCluster ?? null
  // The add-ons' health is asked for only by those allowed to see it.
  const mayReadAddons = cluster !== null && (viewer.isOperator || viewer.isClusterAdmin)
  const [addonsResult, refetchAddons] = useQuery({
    query: ServicesAddonsQueryDoc,
    variables: { clusterId: cluster?.id ?? '' },
    pause: !mayReadAddons,
  })
  const addonByName = new Map((addonsResult.data?.addons ?? []).map((a) => [a.name, a]))
  const poll = useCallback(() => {
    refetch({ requestPolicy: 'network-only' })
    if (mayReadAddons) refetchAddons({ requestPolicy: 'network-only' })
  }, [refetch, refetchAddons, mayReadAddons])
  usePolling(poll, POLL_MS, cluster !== null)

  let body
  if (result.error && !cluster) {
    body = <ErrorState error={result.error} title="The services could not be loaded" onRetry={poll} />
  } else if (!data) {
    body = <Loading label="Loading the services…" />
  } else if (!cluster) {
    body = (
      <EmptyState
        title="No cluster yet, so no services"
        action={
          viewer.isOperator ? (
            <Link className="btn btn--primary" to="/operations/clusters">
              Adopt a cluster
            </Link>
          ) : undefined
        }
      >
        Every cluster comes with Kibana, Grafana, Prometheus and a Harbor registry. They are listed here once an operator adopts or provisions a cluster.
      </EmptyState>
    )
  } else if (cluster.services.length === 0) {
    body = <EmptyState title={`Cluster ${cluster.name} reports no managed services`}>They appear here once the platform runs them on the cluster.</EmptyState>
  } else {
    body = (
      <>
        {result.error && <ErrorState error={result.error} title="The latest status could not be loaded; showing the previous one" onRetry={poll} />}
        <ul className="cards" aria-label={`Managed services of ${cluster.name}`}>
          {cluster.services.map((s) => (
            <ServiceCard key={s.name} service={s} addon={addonByName.get(SERVICE_ADDONS[s.name] ?? '')} />
          ))}
        </ul>
        <p className="muted">The status is checked again every 30 seconds while this page is open.</p>
      </>
    )
  }
  const addons =
    cluster && mayReadAddons ? (
      <AddonsSection
        clusterId={cluster.id}
        clusterName={cluster.name}
        isOperator={viewer.isOperator}
        result={addonsResult}
        onRetry={() => refetchAddons({ requestPolicy: 'network-only' })}
      />
    ) : null

  return (
    <div className="page">
      <PageHeader title="Services" description="Managed services of the active cluster: Kibana, Grafana, Prometheus and the Harbor registry." />
      {body}
      {addons}
    </div>
  )
}
