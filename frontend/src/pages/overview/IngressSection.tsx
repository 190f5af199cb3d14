import { useQuery } from 'urql'
import { ErrorState } from '../../components/ErrorState'
import { StatusIndicator, addonStatusView } from '../../components/StatusIndicator'
import { graphql } from '../../gql'
import { replicasText } from '../services/AddonsSection'

// The ingress controller's replicas come from the add-ons' health, which only operators
// and the cluster's admins may read: a query of its own.
const OverviewIngressQueryDoc = graphql(`
  query OverviewIngress($clusterId: ID!) {
    addons(clusterId: $clusterId) {
      name
      installedVersion
      status
      readyReplicas
      desiredReplicas
    }
  }
`)

function IngressReplicas({ clusterId }: { clusterId: string }) {
  const [result, refetch] = useQuery({ query: OverviewIngressQueryDoc, variables: { clusterId } })
  if (result.error) {
    return <ErrorState error={result.error} title="The ingress controller's health could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
  }
  const ingress = result.data?.addons.find((a) => a.name === 'ingress')
  if (!result.data) return <span className="muted">Loading…</span>
  if (!ingress || !ingress.installedVersion) return <span className="muted">not installed on this cluster</span>
  return (
    <span className="row" data-testid="ingress-replicas">
      <StatusIndicator view={addonStatusView(ingress.status)} />
      <span>{replicasText(ingress)}</span>
      <span className="muted">version {ingress.installedVersion}</span>
    </span>
  )
}

// IngressSection shows where the cluster's sites are served (the ingress controller's
// wildcard host) and the anonymous health URL a customer may monitor; operators and the
// cluster's admins also see the controller's ready replicas.
export function IngressSection({
  clusterId,
  wildcardHost,
  healthzURL,
  showReplicas,
}: {
  clusterId: string
  wildcardHost: string
  healthzURL: string
  showReplicas: boolean
}) {
  return (
    <section className="panel" aria-labelledby="cluster-ingress">
      <h2 id="cluster-ingress">Ingress and monitoring</h2>
      <dl className="facts">
        <dt>Wildcard domain</dt>
        <dd>
          <code data-testid="wildcard-host">{wildcardHost}</code>
          <span className="field__hint">Sites and the managed services are served as https://&lt;name&gt;.{wildcardHost.replace(/^\*\./, '')} by the HA ingress controller.</span>
        </dd>
        {showReplicas && (
          <>
            <dt>Ingress controller</dt>
            <dd>
              <IngressReplicas clusterId={clusterId} />
            </dd>
          </>
        )}
        <dt>Health URL</dt>
        <dd>
          <code data-testid="healthz-url">{healthzURL}</code>
          <span className="field__hint">Answers “ok” to anyone, without credentials, while the API server is healthy: wire it into your own monitoring.</span>
        </dd>
      </dl>
    </section>
  )
}
