import { act, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { operationName, renderPage } from '../../test/renderPage'
import { POLL_MS, ServicesPage } from './ServicesPage'

const services = [
  { name: 'Kibana', url: 'https://kibana.prod.example.com', status: 'UP', checkedAt: '2026-01-02T10:00:00Z' },
  { name: 'Grafana', url: 'https://grafana.prod.example.com', status: 'DOWN', checkedAt: '2026-01-02T10:00:00Z' },
  { name: 'Prometheus', url: 'https://prometheus.prod.example.com', status: 'UNKNOWN', checkedAt: null },
  { name: 'Harbor', url: 'https://harbor.prod.example.com', status: 'UP', checkedAt: '2026-01-02T10:00:00Z' },
]

const answer = (cluster: unknown) => ({ data: { viewer: { id: 'u1', activeCluster: cluster } } })

describe('ServicesPage', () => {
  afterEach(() => vi.useRealTimers())

  it('shows each service with its link and its status in words', async () => {
    renderPage(<ServicesPage />, { ServicesPage: answer({ id: 'c1', name: 'prod', services }) })
    const cards = await screen.findAllByTestId('service-card')
    expect(cards).toHaveLength(4)
    const grafana = cards[1]
    expect(within(grafana).getByRole('heading').textContent).toContain('Grafana')
    expect(within(grafana).getByText('Down')).toBeTruthy()
    const link = within(grafana).getByRole('link')
    expect(link.getAttribute('href')).toBe('https://grafana.prod.example.com')
    expect(link.getAttribute('target')).toBe('_blank')
    expect(link.getAttribute('rel')).toContain('noopener')
    expect(within(cards[0]).getByText('Up')).toBeTruthy()
    expect(within(cards[2]).getByText('Unknown')).toBeTruthy()
    expect(cards[2].textContent).toContain('Not checked yet')
  })

  it('asks again every 30 seconds and stops when the page closes', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const { queries, unmount } = renderPage(<ServicesPage />, { ServicesPage: answer({ id: 'c1', name: 'prod', services }) })
    await screen.findAllByTestId('service-card')
    const count = () => queries.filter((q) => operationName(q) === 'ServicesPage').length
    const before = count()
    act(() => vi.advanceTimersByTime(POLL_MS))
    await waitFor(() => expect(count()).toBe(before + 1))
    const netOnly = queries.at(-1)!.context.requestPolicy
    expect(netOnly).toBe('network-only')
    act(() => vi.advanceTimersByTime(POLL_MS))
    await waitFor(() => expect(count()).toBe(before + 2))
    unmount()
    vi.advanceTimersByTime(3 * POLL_MS)
    expect(count()).toBe(before + 2)
  })

  it('has an empty state without a cluster', async () => {
    renderPage(<ServicesPage />, { ServicesPage: answer(null) }, { cluster: null })
    expect(await screen.findByText('No cluster yet, so no services')).toBeTruthy()
  })
})
