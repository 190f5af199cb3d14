import { describe, expect, it } from 'vitest'
import { nextOffset, pageRange, previousOffset, subjectIds, subjectLabel, userLabel } from './userSearch'
import type { SubjectView } from './userSearch'

describe('user search paging', () => {
  const cases: { name: string; offset: number; shown: number; total: number; range: string; next: number | null; previous: number | null }[] = [
    { name: 'first of three pages', offset: 0, shown: 10, total: 23, range: '1–10 of 23', next: 10, previous: null },
    { name: 'middle page', offset: 10, shown: 10, total: 23, range: '11–20 of 23', next: 20, previous: 0 },
    { name: 'last, short page', offset: 20, shown: 3, total: 23, range: '21–23 of 23', next: null, previous: 10 },
    { name: 'exactly one full page', offset: 0, shown: 10, total: 10, range: '1–10 of 10', next: null, previous: null },
    { name: 'nothing found', offset: 0, shown: 0, total: 0, range: 'none', next: null, previous: null },
    { name: 'past the end (users deleted meanwhile)', offset: 30, shown: 0, total: 23, range: 'none', next: null, previous: 20 },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(pageRange(c.offset, c.shown, c.total)).toBe(c.range)
      expect(nextOffset(c.offset, c.shown, c.total)).toBe(c.next)
      expect(previousOffset(c.offset)).toBe(c.previous)
    })
  }
})

describe('subject names', () => {
  const cases: { name: string; subject: SubjectView; label: string; ids: string[] }[] = [
    {
      name: 'a user of the plain domain is "name (domain)", not the name twice',
      subject: { kind: 'KEYSTONE_USER', id: 'ursula', name: 'ursula', domain: 'Default', keystoneId: 'u-123' },
      label: 'ursula (Default)',
      ids: ['Keystone user ID: u-123', 'Kubernetes user: ursula'],
    },
    {
      name: 'a user of another domain',
      subject: { kind: 'KEYSTONE_USER', id: 'alice@eng', name: 'alice', domain: 'eng', keystoneId: null },
      label: 'alice (eng)',
      ids: ['Kubernetes user: alice@eng'],
    },
    {
      name: 'a role shows its name, its ID on demand',
      subject: { kind: 'KEYSTONE_ROLE', id: 'r-1', name: 'developers', domain: null, keystoneId: 'r-1' },
      label: 'developers',
      ids: ['Keystone role ID = Kubernetes group: r-1'],
    },
    {
      name: 'anything else shows its Kubernetes name',
      subject: { kind: 'OTHER', id: 'system:serviceaccounts', name: null, domain: null, keystoneId: null },
      label: 'system:serviceaccounts',
      ids: ['Kubernetes subject: system:serviceaccounts'],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(subjectLabel(c.subject)).toBe(c.label)
      expect(subjectIds(c.subject).map((i) => `${i.label}: ${i.value}`)).toEqual(c.ids)
    })
  }
  it('labels a user', () => {
    expect(userLabel({ name: 'bob', domain: 'Default' })).toBe('bob (Default)')
  })
})
