import { describe, expect, it } from 'vitest'
import { deletionEffect, lastCluster, PLAIN_HTTP_WHY } from './tokenFacts'

describe('lastCluster', () => {
  const cases = [
    { name: 'a known cluster', token: { lastUsedAt: '2026-01-01T10:00:00Z', lastUsedCluster: 'alpha' }, identifies: false, want: { text: 'alpha', why: null } },
    { name: 'never used', token: { lastUsedAt: null, lastUsedCluster: null }, identifies: false, want: { text: '—', why: 'Not used yet.' } },
    { name: 'used, webhook over plain http', token: { lastUsedAt: '2026-01-01T10:00:00Z', lastUsedCluster: null }, identifies: false, want: { text: 'unknown', why: PLAIN_HTTP_WHY } },
    { name: 'used, webhook over https', token: { lastUsedAt: '2026-01-01T10:00:00Z', lastUsedCluster: null }, identifies: true, want: { text: 'unknown', why: expect.stringContaining('this panel’s API') } },
  ]
  for (const c of cases) {
    it(c.name, () => expect(lastCluster(c.token, c.identifies)).toEqual(c.want))
  }
})

describe('deletionEffect', () => {
  const cases = [
    { name: 'the default 10 s', seconds: 10, want: /refuses it from now on; clusters keep the panel’s last answer for up to 10 seconds/ },
    { name: 'one second', seconds: 1, want: /up to 1 second,/ },
    { name: 'no cache', seconds: 0, want: /The panel and every cluster refuse it from now on/ },
  ]
  for (const c of cases) {
    it(c.name, () => expect(deletionEffect(c.seconds)).toMatch(c.want))
  }
})
