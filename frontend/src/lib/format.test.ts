import { describe, expect, it } from 'vitest'
import { describeExpiry } from './format'

describe('describeExpiry', () => {
  const now = new Date('2026-01-01T12:00:00Z')
  const cases = [
    { name: 'a year left', at: '2027-01-01T12:00:00Z', want: { label: '365 days left', expired: false, soon: false } },
    { name: 'exactly 30 days left is not soon', at: '2026-01-31T12:00:00Z', want: { label: '30 days left', expired: false, soon: false } },
    { name: 'just under 30 days left is soon', at: '2026-01-31T11:59:00Z', want: { label: '29 days left', expired: false, soon: true } },
    { name: 'one day left', at: '2026-01-02T13:00:00Z', want: { label: '1 day left', expired: false, soon: true } },
    { name: 'hours left', at: '2026-01-01T18:00:00Z', want: { label: 'less than a day left', expired: false, soon: true } },
    { name: 'just expired', at: '2026-01-01T12:00:00Z', want: { label: 'expired', expired: true, soon: false } },
    { name: 'long expired', at: '2025-01-01T00:00:00Z', want: { label: 'expired', expired: true, soon: false } },
    { name: 'not a time', at: 'soon', want: { label: '', expired: false, soon: false } },
  ]
  for (const tc of cases) {
    it(tc.name, () => expect(describeExpiry(tc.at, now)).toEqual(tc.want))
  }
})
