import type { ServiceStatus } from '../gql/graphql'

// StatusView is how a status shows: its words, the badge tone and a shape for the dot,
// so that the status never rests on colour alone.
export interface StatusView {
  label: string
  description: string
  tone: 'success' | 'danger' | 'neutral'
  shape: 'up' | 'down' | 'unknown'
}

const services: Record<ServiceStatus, StatusView> = {
  UP: { label: 'Up', description: 'reachable', tone: 'success', shape: 'up' },
  DOWN: { label: 'Down', description: 'not reachable', tone: 'danger', shape: 'down' },
  UNKNOWN: { label: 'Unknown', description: 'not checked yet', tone: 'neutral', shape: 'unknown' },
}

// serviceStatusView is how a managed service's status shows. A status this build does not
// know (a newer server) shows as unknown.
export function serviceStatusView(status: ServiceStatus | string): StatusView {
  return services[status as ServiceStatus] ?? { ...services.UNKNOWN, label: `Unknown (${status})` }
}

const addons: Record<string, StatusView> = {
  UP: { label: 'Up', description: 'every workload has all its replicas ready', tone: 'success', shape: 'up' },
  PROGRESSING: { label: 'Progressing', description: 'some replicas are ready, or a change is rolling out', tone: 'neutral', shape: 'unknown' },
  DOWN: { label: 'Down', description: 'a workload has no ready replica, or an object is missing', tone: 'danger', shape: 'down' },
  NOT_INSTALLED: { label: 'Not installed', description: 'in the catalog, not on this cluster', tone: 'neutral', shape: 'unknown' },
}

// addonStatusView is how an add-on's health (from its workloads' ready replicas) shows.
export function addonStatusView(status: string): StatusView {
  return addons[status] ?? { ...services.UNKNOWN, label: `Unknown (${status})` }
}

// healthView is how the kube-apiserver's health shows.
export function healthView(healthy: boolean): StatusView {
  return healthy
    ? { label: 'Healthy', description: 'the API server answers /healthz', tone: 'success', shape: 'up' }
    : { label: 'Unhealthy', description: 'the API server does not answer /healthz with ok', tone: 'danger', shape: 'down' }
}

// healthDetail is what to say next to the health badge: the API server's answer when it
// adds something ("connection refused"), nothing when it only repeats the badge ("ok").
export function healthDetail(healthy: boolean, message: string): string | null {
  const m = message.trim()
  if (m === '' || (healthy && m.toLowerCase() === 'ok')) return null
  return m
}

// StatusIndicator is a badge with a dot, a word and (for screen readers and on hover) what
// the word means.
export function StatusIndicator({ view }: { view: StatusView }) {
  return (
    <span className={`badge badge--${view.tone} status`} title={view.description} data-status={view.shape}>
      <span className={`status__dot status__dot--${view.shape}`} aria-hidden="true" />
      {view.label}
      <span className="visually-hidden">: {view.description}</span>
    </span>
  )
}
