import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { operationName, renderPage } from '../../test/renderPage'
import { OverviewPage } from './OverviewPage'

const GIB = 1024 ** 3

const cluster = {
  id: 'c1',
  name: 'prod',
  baseDomain: 'example.com',
  apiURL: 'https://api.prod.example.com:6443',
  wildcardHost: '*.prod.example.com',
  healthzURL: 'https://api.prod.example.com:6443/healthz',
  status: 'READY',
  createdAt: '2026-01-01T10:00:00Z',
  version: 'v1.31.2',
  health: { healthy: true, message: 'ok', checkedAt: '2026-01-02T10:00:00Z' },
  controlPlaneOnly: false,
  size: { workers: 3, workerVcpu: 4, workerRamGb: 8, workerDiskGb: 40, registryDbGb: 10 },
  protectedNamespaces: ['kube-system', 'kaas-system'],
  adminRoles: [{ id: 'r1', name: 'prod-cluster-admin' }],
}

const overview = (isClusterAdmin: boolean, c: unknown = cluster) => ({ data: { viewer: { id: 'u1', isClusterAdmin, activeCluster: c } } })

const nodes = {
  data: {
    viewer: {
      id: 'u1',
      activeCluster: {
        id: 'c1',
        nodes: [
          { name: 'cp-1', ready: true, roles: ['control-plane'], kubeletVersion: 'v1.31.2', vcpu: 2, memoryBytes: 4 * GIB, storageBytes: 20 * GIB },
          { name: 'worker-1', ready: false, roles: [], kubeletVersion: 'v1.31.2', vcpu: 4, memoryBytes: 8 * GIB, storageBytes: 40 * GIB },
        ],
      },
    },
  },
}

const ingress = (status: string, ready: number) => ({
  data: { addons: [{ name: 'cni', installedVersion: '0.26.1', status: 'DOWN', readyReplicas: 0, desiredReplicas: 0 }, { name: 'ingress', installedVersion: '1.12.1', status, readyReplicas: ready, desiredReplicas: 2 }] },
})

describe('OverviewPage', () => {
  it('shows the cluster’s facts to a regular user and never asks for the nodes', async () => {
    const { queries } = renderPage(<OverviewPage />, { Overview: overview(false) })
    expect(await screen.findByRole('heading', { level: 1, name: 'Cluster prod' })).toBeTruthy()
    expect(screen.getByTestId('cluster-health').textContent).toContain('Healthy')
    // "Healthy", not "Healthy ok": the API server's "ok" only repeats the badge.
    expect(within(screen.getByTestId('cluster-health')).queryByText('ok')).toBeNull()
    expect(screen.getByText('v1.31.2')).toBeTruthy()
    expect(screen.getByText('3 workers × 4 vCPU / 8 GB RAM / 40 GB disk')).toBeTruthy()
    expect(screen.getByText('10 GB')).toBeTruthy()
    expect(screen.getByText('prod-cluster-admin')).toBeTruthy()
    const ns = screen.getByRole('list', { name: 'Protected namespaces' })
    expect(within(ns).getAllByText('managed by the panel')).toHaveLength(2)
    expect(ns.textContent).toContain('kube-system')
    expect(screen.queryByRole('heading', { name: 'Nodes' })).toBeNull()
    expect(queries.map(operationName)).not.toContain('OverviewNodes')
  })

  it('says a control-plane-only cluster has no workers instead of a size that does not exist', async () => {
    renderPage(<OverviewPage />, { Overview: overview(false, { ...cluster, controlPlaneOnly: true }) })
    expect((await screen.findByTestId('control-plane-only')).textContent).toContain('A control-plane-only cluster')
    expect(screen.queryByText('3 workers × 4 vCPU / 8 GB RAM / 40 GB disk')).toBeNull()
  })

  it('shows admins the nodes with their totals', async () => {
    renderPage(<OverviewPage />, { Overview: overview(true), OverviewNodes: nodes, OverviewIngress: ingress('UP', 2) }, { isClusterAdmin: true })
    const table = await screen.findByTestId('node-table')
    expect(within(table).getByRole('rowheader', { name: 'cp-1' })).toBeTruthy()
    expect(within(table).getByText('Not ready')).toBeTruthy()
    const total = within(table).getAllByRole('row').at(-1)!
    expect(total.textContent).toContain('Total: 2 nodes')
    expect(total.textContent).toContain('1 of 2 ready')
    const cells = within(total).getAllByRole('cell').map((c) => c.textContent)
    expect(cells.slice(-3)).toEqual(['6', '12', '60'])
  })

  it('says so calmly when the server refuses the nodes', async () => {
    renderPage(<OverviewPage />, { Overview: overview(true), OverviewNodes: { error: 'FORBIDDEN' }, OverviewIngress: ingress('UP', 2) }, { isClusterAdmin: true })
    expect(await screen.findByText('Nodes are shown to admins of prod only.')).toBeTruthy()
    expect(screen.getByRole('heading', { level: 1, name: 'Cluster prod' })).toBeTruthy()
  })

  it('shows an unhealthy cluster without a version', async () => {
    const sick = { ...cluster, version: null, health: { healthy: false, message: 'connection refused', checkedAt: '2026-01-02T10:00:00Z' } }
    renderPage(<OverviewPage />, { Overview: overview(false, sick) })
    const health = await screen.findByTestId('cluster-health')
    expect(health.textContent).toContain('Unhealthy')
    expect(health.textContent).toContain('connection refused')
    expect(screen.getByText(/unknown: the API server did not answer/)).toBeTruthy()
  })

  it('has an empty state without a cluster', async () => {
    renderPage(<OverviewPage />, { Overview: overview(false, null) }, { cluster: null })
    expect(await screen.findByText('No cluster yet: an operator adopts or provisions one')).toBeTruthy()
  })

  it('shows the error, not the empty state, when the cluster fails to load', async () => {
    renderPage(<OverviewPage />, { Overview: { error: 'INTERNAL', message: 'internal error' } })
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('internal error')
    expect(alert.textContent).toContain('INTERNAL')
    expect(screen.queryByText(/No cluster yet/)).toBeNull()
  })

  it('shows everyone the wildcard domain and the anonymous health URL, and never asks a regular user for the ingress replicas', async () => {
    const { queries } = renderPage(<OverviewPage />, { Overview: overview(false) })
    expect((await screen.findByTestId('wildcard-host')).textContent).toBe('*.prod.example.com')
    expect(screen.getByTestId('healthz-url').textContent).toBe('https://api.prod.example.com:6443/healthz')
    expect(screen.getByText(/Answers “ok” to anyone, without credentials/)).toBeTruthy()
    expect(screen.queryByText('Ingress controller')).toBeNull()
    expect(queries.map(operationName)).not.toContain('OverviewIngress')
  })

  it('shows admins how many ingress controller replicas are ready', async () => {
    const { queries } = renderPage(<OverviewPage />, { Overview: overview(true), OverviewNodes: nodes, OverviewIngress: ingress('PROGRESSING', 1) }, { isClusterAdmin: true })
    const replicas = await screen.findByTestId('ingress-replicas')
    expect(replicas.textContent).toContain('Progressing')
    expect(replicas.textContent).toContain('1 of 2 replicas ready')
    expect(replicas.textContent).toContain('version 1.12.1')
    const asked = queries.find((q) => operationName(q) === 'OverviewIngress')!
    expect(asked.variables).toEqual({ clusterId: 'c1' })
  })

  it('shows operators an ingress controller that is not installed as such', async () => {
    renderPage(<OverviewPage />, { Overview: overview(false), OverviewIngress: { data: { addons: [{ name: 'ingress', installedVersion: null, status: 'NOT_INSTALLED', readyReplicas: 0, desiredReplicas: 0 }] } } }, { isOperator: true })
    expect(await screen.findByText('not installed on this cluster')).toBeTruthy()
  })
})
