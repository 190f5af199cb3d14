import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { renderPage } from '../../../test/renderPage'
import { BackupsPage } from './BackupsPage'

const viewer = { id: 'u1', activeCluster: { id: 'c1', name: 'prod' } }
const admin = { isClusterAdmin: true }

const overview = {
  veleroInstalled: true,
  backups: [
    { name: 'daily-1', phase: 'Completed', includedNamespaces: [], createdAt: null, startedAt: '2026-01-01T02:00:00Z', completedAt: '2026-01-01T02:05:00Z', expiresAt: '2026-01-31T02:00:00Z', errors: 0, warnings: 2 },
    { name: 'manual-2', phase: 'Failed', includedNamespaces: ['team-a'], createdAt: null, startedAt: '2026-01-02T02:00:00Z', completedAt: null, expiresAt: null, errors: 3, warnings: 0 },
  ],
  schedules: [{ name: 'daily', schedule: '0 2 * * *', phase: 'Enabled', lastBackupAt: '2026-01-01T02:00:00Z' }],
  restores: [],
}

const answers = {
  BackupsPage: { data: { viewer, backups: overview } },
  CreateBackup: { data: { createBackup: { name: 'manual-3', phase: 'New' } } },
  CreateRestore: { data: { createRestore: { name: 'daily-1-restore', backupName: 'daily-1', phase: 'New' } } },
}

describe('BackupsPage', () => {
  it('says when Velero is not installed', async () => {
    renderPage(<BackupsPage />, { BackupsPage: { data: { viewer, backups: { veleroInstalled: false, backups: [], schedules: [], restores: [] } } } }, admin)
    expect(await screen.findByText('Velero is not installed on cluster prod')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Back up now' })).toBeNull()
  })

  it('lists backups newest first with phases, and offers Restore for completed ones only', async () => {
    renderPage(<BackupsPage />, answers, admin)
    const table = await screen.findByTestId('backup-table')
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['manual-2', 'daily-1'])
    expect(rows[0].textContent).toContain('Failed')
    expect(within(rows[0]).queryByRole('button')).toBeNull()
    expect(within(rows[1]).getByRole('button', { name: 'Restore from backup daily-1' })).toBeTruthy()
    expect(screen.getByTestId('schedule-table').textContent).toContain('0 2 * * *')
    expect(screen.getByText('No restores yet')).toBeTruthy()
  })

  it('backs up the namespaces given', async () => {
    const { client } = renderPage(<BackupsPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Namespaces (optional)'), 'team-a, team-b')
    await user.click(screen.getByRole('button', { name: 'Back up now' }))
    expect(client.mutations[0].variables).toEqual({ input: { clusterId: 'c1', includedNamespaces: ['team-a', 'team-b'] } })
    expect((await screen.findByRole('status')).textContent).toContain('Backup manual-3 started')
  })

  it('backs up everything when no namespace is given, and refuses bad names', async () => {
    const { client } = renderPage(<BackupsPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Namespaces (optional)'), 'Team_A')
    await user.click(screen.getByRole('button', { name: 'Back up now' }))
    expect((await screen.findByRole('alert')).textContent).toContain('“Team_A” is not a namespace name')
    expect(client.mutations).toHaveLength(0)
    await user.clear(screen.getByLabelText('Namespaces (optional)'))
    await user.click(screen.getByRole('button', { name: 'Back up now' }))
    expect(client.mutations[0].variables).toEqual({ input: { clusterId: 'c1', includedNamespaces: null } })
  })

  it('restores only after a confirmation', async () => {
    const { client } = renderPage(<BackupsPage />, answers, admin)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Restore from backup daily-1' }))
    expect(client.mutations).toHaveLength(0)
    await user.click(screen.getByRole('button', { name: 'Start restore' }))
    expect(client.mutations[0].variables).toEqual({ input: { clusterId: 'c1', backupName: 'daily-1' } })
  })

  it('shows the admins-only state on FORBIDDEN', async () => {
    renderPage(<BackupsPage />, { BackupsPage: { error: 'FORBIDDEN' } }, admin)
    expect(await screen.findByText('Only admins of prod')).toBeTruthy()
  })
})
