import type { ClusterStatus } from '../../gql/graphql'
import type { ProblemDescription } from '../../graphql/errors'

// ClusterChoice is one cluster in the sidebar's cluster menu.
export interface ClusterChoice {
  id: string
  name: string
  status: ClusterStatus
}

// ClusterMenu is what the top of the sidebar shows: nothing to choose from, the only
// cluster (no choice to make), or a real choice.
export type ClusterMenu =
  | { kind: 'none' }
  | { kind: 'single'; cluster: ClusterChoice }
  | { kind: 'choice'; activeId: string | null; options: { id: string; label: string }[] }

// clusterLabel names a cluster and, unless it is ready, its status.
export function clusterLabel(c: ClusterChoice): string {
  return c.status === 'READY' ? c.name : `${c.name} (${c.status.toLowerCase()})`
}

// clusterMenu decides the cluster menu from the viewer's active cluster and the list of
// clusters. The active cluster is always offered, even if the list (a separate query)
// does not have it yet.
export function clusterMenu(
  active: ClusterChoice | null,
  clusters: readonly ClusterChoice[] | undefined,
): ClusterMenu {
  const all = [...(clusters ?? [])]
  if (active && !all.some((c) => c.id === active.id)) all.push(active)
  if (all.length === 0) return { kind: 'none' }
  if (all.length === 1) return { kind: 'single', cluster: all[0] }
  all.sort((a, b) => a.name.localeCompare(b.name))
  return {
    kind: 'choice',
    activeId: active?.id ?? null,
    options: all.map((c) => ({ id: c.id, label: clusterLabel(c) })),
  }
}

// ClusterSwitch is the state of a change of the active cluster: the cluster being
// switched to (shown in the menu at once, until the refreshed viewer confirms it) and
// the last failure.
export interface ClusterSwitch {
  pendingId: string | null
  error: ProblemDescription | null
}

// ClusterSwitchEvent is what happens during a switch.
export type ClusterSwitchEvent =
  | { type: 'select'; id: string }
  | { type: 'selected'; activeId: string | null }
  | { type: 'failed'; error: ProblemDescription }
  | { type: 'viewerShows'; activeId: string | null }
  | { type: 'dismissError' }

export const idleSwitch: ClusterSwitch = { pendingId: null, error: null }

// clusterSwitch is the reducer of a cluster switch.
export function clusterSwitch(state: ClusterSwitch, event: ClusterSwitchEvent): ClusterSwitch {
  switch (event.type) {
    case 'select':
      return { pendingId: event.id, error: null }
    case 'selected':
      // The server's answer wins over what was asked for.
      if (state.pendingId === null) return state
      return { ...state, pendingId: event.activeId }
    case 'failed':
      return { pendingId: null, error: event.error }
    case 'viewerShows':
      if (state.pendingId === null || state.pendingId !== event.activeId) return state
      return { ...state, pendingId: null }
    case 'dismissError':
      return state.error === null ? state : { ...state, error: null }
  }
}

// shownClusterId is the cluster the menu shows as selected.
export function shownClusterId(state: ClusterSwitch, activeId: string | null): string {
  return state.pendingId ?? activeId ?? ''
}
