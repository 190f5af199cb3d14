import { describe, expect, it } from 'vitest'
import type { ClusterChoice, ClusterSwitch, ClusterSwitchEvent } from './clusterMenu'
import { clusterMenu, clusterSwitch, idleSwitch, shownClusterId } from './clusterMenu'

const prod: ClusterChoice = { id: '1', name: 'prod', status: 'READY' }
const dev: ClusterChoice = { id: '2', name: 'dev', status: 'PROVISIONING' }
const lab: ClusterChoice = { id: '3', name: 'lab', status: 'READY' }

describe('clusterMenu', () => {
  const cases = [
    { name: 'no cluster at all', active: null, clusters: [], want: { kind: 'none' } },
    { name: 'list not loaded, no active', active: null, clusters: undefined, want: { kind: 'none' } },
    { name: 'one cluster is shown without a choice', active: prod, clusters: [prod], want: { kind: 'single', cluster: prod } },
    { name: 'active known before the list', active: prod, clusters: undefined, want: { kind: 'single', cluster: prod } },
    {
      name: 'several clusters: a choice, sorted, with status',
      active: prod,
      clusters: [prod, lab, dev],
      want: {
        kind: 'choice',
        activeId: '1',
        options: [
          { id: '2', label: 'dev (provisioning)' },
          { id: '3', label: 'lab' },
          { id: '1', label: 'prod' },
        ],
      },
    },
    {
      name: 'active missing from the list is still offered',
      active: lab,
      clusters: [prod],
      want: { kind: 'choice', activeId: '3', options: [{ id: '3', label: 'lab' }, { id: '1', label: 'prod' }] },
    },
    {
      name: 'several clusters, none active',
      active: null,
      clusters: [prod, lab],
      want: { kind: 'choice', activeId: null, options: [{ id: '3', label: 'lab' }, { id: '1', label: 'prod' }] },
    },
  ] as const
  for (const tc of cases) {
    it(tc.name, () => expect(clusterMenu(tc.active, tc.clusters)).toEqual(tc.want))
  }
})

describe('clusterSwitch', () => {
  function run(events: ClusterSwitchEvent[]): ClusterSwitch {
    return events.reduce(clusterSwitch, idleSwitch)
  }

  it('shows the chosen cluster at once and until the viewer confirms it', () => {
    const s = run([{ type: 'select', id: '2' }, { type: 'selected', activeId: '2' }])
    expect(shownClusterId(s, '1')).toBe('2')
    expect(run([{ type: 'select', id: '2' }, { type: 'selected', activeId: '2' }, { type: 'viewerShows', activeId: '1' }]).pendingId).toBe('2')
    const settled = run([{ type: 'select', id: '2' }, { type: 'selected', activeId: '2' }, { type: 'viewerShows', activeId: '2' }])
    expect(settled).toEqual(idleSwitch)
    expect(shownClusterId(settled, '2')).toBe('2')
  })

  it('follows the server when it activated another cluster', () => {
    const s = run([{ type: 'select', id: '2' }, { type: 'selected', activeId: '3' }])
    expect(s.pendingId).toBe('3')
    expect(run([{ type: 'select', id: '2' }, { type: 'selected', activeId: '3' }, { type: 'viewerShows', activeId: '3' }]).pendingId).toBeNull()
  })

  it('falls back to the active cluster and keeps the error when the switch fails', () => {
    const error = { message: 'cluster not found', code: 'NOT_FOUND' }
    const s = run([{ type: 'select', id: '2' }, { type: 'failed', error }])
    expect(s).toEqual({ pendingId: null, error })
    expect(shownClusterId(s, '1')).toBe('1')
    expect(run([{ type: 'select', id: '2' }, { type: 'failed', error }, { type: 'dismissError' }])).toEqual(idleSwitch)
  })

  it('a new choice clears an old error', () => {
    const error = { message: 'x', code: 'INTERNAL' }
    expect(run([{ type: 'failed', error }, { type: 'select', id: '3' }])).toEqual({ pendingId: '3', error: null })
  })

  it('shows nothing selected when there is no active cluster', () => {
    expect(shownClusterId(idleSwitch, null)).toBe('')
  })
})
