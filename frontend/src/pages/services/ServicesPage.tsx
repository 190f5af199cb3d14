import { EmptyState } from '../../components/EmptyState'
import { PageHeader } from '../../components/PageHeader'

// ServicesPage (/services) will list the active cluster's managed services (Kibana,
// Grafana, Prometheus, Harbor) with live status. The API has no services yet.
export function ServicesPage() {
  return (
    <div className="page">
      <PageHeader title="Services" description="Managed services of the active cluster: Kibana, Grafana, Prometheus and the Harbor registry." />
      <EmptyState title="Service links are not available yet">
        The panel’s API does not offer managed services yet; this page lists them with a live
        health indicator once it does. Until then, reach them at
        https://&lt;service&gt;.&lt;cluster&gt;.&lt;domain&gt;.
      </EmptyState>
    </div>
  )
}
