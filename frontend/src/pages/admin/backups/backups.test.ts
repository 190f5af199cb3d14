import { describe, expect, it } from 'vitest'
import { canRestore, isInProgress, newestFirst, parseNamespaces, phaseTone } from './backups'

describe('phaseTone', () => {
  const cases = [
    ['Completed', 'success'],
    ['Enabled', 'success'],
    ['PartiallyFailed', 'warning'],
    ['FinalizingPartiallyFailed', 'warning'],
    ['Failed', 'danger'],
    ['FailedValidation', 'danger'],
    ['New', 'info'],
    ['InProgress', 'info'],
    ['WaitingForPluginOperations', 'info'],
    ['Deleting', 'neutral'],
    ['', 'neutral'],
  ] as const
  for (const [phase, tone] of cases) it(`${phase || '(empty)'} is ${tone}`, () => expect(phaseTone(phase)).toBe(tone))
})

describe('isInProgress and canRestore', () => {
  it('knows which phases are still running', () => {
    expect(['New', 'InProgress', 'Finalizing'].every(isInProgress)).toBe(true)
    expect(['Completed', 'Failed', 'PartiallyFailed'].some(isInProgress)).toBe(false)
  })
  it('restores from completed backups only', () => {
    expect(canRestore('Completed')).toBe(true)
    expect(canRestore('PartiallyFailed')).toBe(true)
    expect(canRestore('InProgress')).toBe(false)
    expect(canRestore('Failed')).toBe(false)
  })
})

describe('parseNamespaces', () => {
  const cases = [
    { name: 'empty means every namespace', text: '  ', want: { ok: true, namespaces: null } },
    { name: 'comma-separated', text: 'team-a, team-b', want: { ok: true, namespaces: ['team-a', 'team-b'] } },
    { name: 'blanks and duplicates', text: 'team-a team-a,,team-b ', want: { ok: true, namespaces: ['team-a', 'team-b'] } },
  ]
  for (const tc of cases) it(tc.name, () => expect(parseNamespaces(tc.text)).toEqual(tc.want))

  it('refuses a name that is no namespace', () => {
    const r = parseNamespaces('team-a, Team_B')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('“Team_B”')
  })
})

describe('newestFirst', () => {
  it('orders by start, then creation, times missing last', () => {
    const items = [
      { name: 'a', startedAt: '2026-01-01T00:00:00Z', createdAt: null },
      { name: 'b', startedAt: null, createdAt: null },
      { name: 'c', startedAt: null, createdAt: '2026-02-01T00:00:00Z' },
      { name: 'd', startedAt: '2026-01-15T00:00:00Z', createdAt: '2026-01-14T00:00:00Z' },
    ]
    expect(newestFirst(items).map((i) => i.name)).toEqual(['c', 'd', 'a', 'b'])
  })
})
