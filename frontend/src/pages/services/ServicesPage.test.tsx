import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
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

const addon = (name: string, installedVersion: string | null, status: string, ready: number, desired: number, latestVersion = installedVersion ?? '1.0.0') => ({
  name,
  description: `${name} add-on`,
  namespace: `kaas-${name}`,
  installedVersion,
  latestVersion,
  status,
  readyReplicas: ready,
  desiredReplicas: desired,
  message: installedVersion ? `${ready}/${desired} replicas ready` : '',
  workloads: installedVersion ? [{ kind: 'Deployment', namespace: `kaas-${name}`, name, readyReplicas: ready, desiredReplicas: desired, status, message: 'no replica is ready' }] : [],
})

const addons = {
  data: {
    addons: [
      addon('cni', null, 'NOT_INSTALLED', 0, 0, '0.26.1'),
      addon('ingress', '1.11.3', 'PROGRESSING', 1, 2, '1.12.1'),
      addon('logging', '8.15.0', 'UP', 3, 3),
      addon('monitoring', '2.54.1', 'DOWN', 0, 2),
      addon('registry', '2.11.1', 'UP', 4, 4),
    ],
  },
}

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

  it('shows a cluster admin each service’s add-on health next to its reachability, without actions', async () => {
    const { queries } = renderPage(<ServicesPage />, { ServicesPage: answer({ id: 'c1', name: 'prod', services }), ServicesAddons: addons }, { isClusterAdmin: true })
    const grafana = (await screen.findAllByTestId('service-card'))[1]
    // Reachable or not (the probe) and the workloads' readiness (the cluster's objects).
    await waitFor(() => expect(within(grafana).getByTestId('addon-health-monitoring').textContent).toContain('monitoring 2.54.1: 0 of 2 replicas ready'))
    expect(within(grafana).getAllByText('Down')).toHaveLength(2)
    expect(within(screen.getAllByTestId('service-card')[0]).getByTestId('addon-health-logging').textContent).toContain('Up')
    const rows = screen.getAllByTestId('addon-row')
    expect(rows.map((r) => r.getAttribute('data-addon'))).toEqual(['cni', 'ingress', 'logging', 'monitoring', 'registry'])
    expect(within(rows[0]).getByText('Not installed')).toBeTruthy()
    expect(within(rows[1]).getByText('Progressing')).toBeTruthy()
    expect(within(rows[1]).getByText('1.12.1 available')).toBeTruthy()
    expect(rows[1].textContent).toContain('1 of 2 replicas ready')
    expect(screen.queryByRole('button', { name: /Install|Upgrade|Remove/ })).toBeNull()
    const asked = queries.find((q) => operationName(q) === 'ServicesAddons')!
    expect(asked.variables).toEqual({ clusterId: 'c1' })
  })

  it('never asks for the add-ons for a regular user', async () => {
    const { queries } = renderPage(<ServicesPage />, { ServicesPage: answer({ id: 'c1', name: 'prod', services }) })
    await screen.findAllByTestId('service-card')
    expect(queries.map(operationName)).not.toContain('ServicesAddons')
    expect(screen.queryByRole('heading', { name: 'Add-ons' })).toBeNull()
  })

  it('lets an operator install, upgrade and remove add-ons as jobs', async () => {
    const user = userEvent.setup()
    const job = (id: string) => ({ id, kind: 'cluster.addon', status: 'queued' })
    const { client } = renderPage(
      <ServicesPage />,
      {
        ServicesPage: answer({ id: 'c1', name: 'prod', services }),
        ServicesAddons: addons,
        InstallAddon: { data: { installAddon: job('j1') } },
        UpgradeAddon: { data: { upgradeAddon: job('j2') } },
        RemoveAddon: { error: 'CONFLICT', message: 'cluster prod is DELETING, not ready' },
      },
      { isOperator: true },
    )
    const rows = await screen.findAllByTestId('addon-row')
    await user.click(within(rows[0]).getByRole('button', { name: 'Install 0.26.1' }))
    expect((await screen.findByRole('status')).textContent).toContain('The install of cni runs as a job')
    expect(screen.getByRole('link', { name: 'follow its progress' }).getAttribute('href')).toBe('/operations/jobs/j1')
    expect(client.mutations.at(-1)!.variables).toEqual({ input: { clusterId: 'c1', name: 'cni' } })

    await user.click(within(rows[1]).getByRole('button', { name: 'Upgrade to 1.12.1' }))
    await waitFor(() => expect(screen.getByRole('link', { name: 'follow its progress' }).getAttribute('href')).toBe('/operations/jobs/j2'))
    expect(client.mutations.at(-1)!.variables).toEqual({ input: { clusterId: 'c1', name: 'ingress', version: '1.12.1' } })
    expect(within(rows[2]).queryByRole('button', { name: /Upgrade/ })).toBeNull()

    await user.click(within(rows[3]).getByRole('button', { name: 'Remove' }))
    await user.click(await screen.findByRole('button', { name: 'Remove monitoring' }))
    expect(client.mutations.at(-1)!.variables).toEqual({ clusterId: 'c1', name: 'monitoring' })
    expect((await screen.findByText(/cluster prod is DELETING, not ready/)).textContent).toContain('CONFLICT')
  })

  it('shows why the add-ons could not be loaded', async () => {
    renderPage(
      <ServicesPage />,
      { ServicesPage: answer({ id: 'c1', name: 'prod', services }), ServicesAddons: { error: 'UNAVAILABLE', message: "the cluster's API is unreachable" } },
      { isClusterAdmin: true },
    )
    expect(await screen.findByText('The add-ons could not be loaded')).toBeTruthy()
    expect(screen.getAllByTestId('service-card')).toHaveLength(4)
  })
})
