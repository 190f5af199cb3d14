import { render } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { StatusIndicator, addonStatusView, healthDetail, healthView, serviceStatusView } from './StatusIndicator'

describe('serviceStatusView', () => {
  const cases = [
    { status: 'UP', label: 'Up', tone: 'success' },
    { status: 'DOWN', label: 'Down', tone: 'danger' },
    { status: 'UNKNOWN', label: 'Unknown', tone: 'neutral' },
    { status: 'DEGRADED', label: 'Unknown (DEGRADED)', tone: 'neutral' },
  ]
  for (const tc of cases) {
    it(`${tc.status} reads “${tc.label}”`, () => {
      const view = serviceStatusView(tc.status)
      expect(view.label).toBe(tc.label)
      expect(view.tone).toBe(tc.tone)
    })
  }

  it('gives every status its own words and shape, not only a colour', () => {
    const views = (['UP', 'DOWN', 'UNKNOWN'] as const).map(serviceStatusView)
    expect(new Set(views.map((v) => v.label)).size).toBe(3)
    expect(new Set(views.map((v) => v.shape)).size).toBe(3)
  })
})

describe('addonStatusView', () => {
  const cases = [
    { status: 'UP', label: 'Up', tone: 'success', shape: 'up' },
    { status: 'PROGRESSING', label: 'Progressing', tone: 'neutral', shape: 'unknown' },
    { status: 'DOWN', label: 'Down', tone: 'danger', shape: 'down' },
    { status: 'NOT_INSTALLED', label: 'Not installed', tone: 'neutral', shape: 'unknown' },
    { status: 'DEGRADED', label: 'Unknown (DEGRADED)', tone: 'neutral', shape: 'unknown' },
  ]
  for (const tc of cases) {
    it(`${tc.status} reads “${tc.label}”`, () => {
      const view = addonStatusView(tc.status)
      expect([view.label, view.tone, view.shape]).toEqual([tc.label, tc.tone, tc.shape])
    })
  }
})

describe('healthView', () => {
  it('says healthy or unhealthy', () => {
    expect(healthView(true).label).toBe('Healthy')
    expect(healthView(false).label).toBe('Unhealthy')
    expect(healthView(false).tone).toBe('danger')
  })
})

describe('StatusIndicator', () => {
  it('shows the status as text', () => {
    const { container } = render(<StatusIndicator view={serviceStatusView('DOWN')} />)
    expect(container.textContent).toBe('Down: not reachable')
    expect(container.querySelector('.badge--danger')).not.toBeNull()
  })
})

describe('healthDetail', () => {
  const cases = [
    { name: 'healthy "ok" only repeats the badge', healthy: true, message: 'ok', want: null },
    { name: 'any case and spaces', healthy: true, message: ' OK\n', want: null },
    { name: 'empty', healthy: false, message: '', want: null },
    { name: 'unhealthy says why', healthy: false, message: 'connection refused', want: 'connection refused' },
    { name: 'healthy with more to say', healthy: true, message: 'ok (2 of 3 checks)', want: 'ok (2 of 3 checks)' },
  ]
  for (const c of cases) {
    it(c.name, () => expect(healthDetail(c.healthy, c.message)).toBe(c.want))
  }
})
