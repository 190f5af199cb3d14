import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Operation } from 'urql'
import { operationName, renderPage } from '../../../test/renderPage'
import { AuditPage } from './AuditPage'

const entry = (id: string, result = 'ok') => ({
  id,
  at: '2026-01-01T10:00:00Z',
  actorId: 'u-alice',
  actorName: 'alice',
  action: 'binding.create',
  clusterId: 'c1',
  clusterName: 'prod',
  target: 'team-a/devs-edit',
  result,
  detail: '',
})

// The mock trail: two pages, the second reached with before=e2.
const audit = (op: Operation) => {
  const before = (op.variables as { before?: string | null }).before
  return before === 'e2'
    ? { data: { auditEntries: { entries: [entry('e1', 'FORBIDDEN')], nextBefore: null } } }
    : { data: { auditEntries: { entries: [entry('e3'), entry('e2')], nextBefore: 'e2' } } }
}

const auditVariables = (queries: Operation[]) => queries.filter((q) => operationName(q) === 'AuditPage').map((q) => q.variables)

describe('AuditPage', () => {
  it('lists entries with a result badge and pages back with nextBefore', async () => {
    const { queries } = renderPage(<AuditPage />, { AuditPage: audit }, { isClusterAdmin: true })
    const table = await screen.findByTestId('audit-table')
    expect(within(table).getAllByRole('row')).toHaveLength(3)
    expect(table.textContent).toContain('alice')
    expect(table.textContent).toContain('binding.create')
    expect(screen.queryByLabelText(/All clusters/)).toBeNull()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Older' }))
    await waitFor(() => expect(screen.getByTestId('audit-table').textContent).toContain('FORBIDDEN'))
    expect((screen.getByRole('button', { name: 'Older' }) as HTMLButtonElement).disabled).toBe(true)
    expect(auditVariables(queries).at(-1)).toEqual({ filter: { clusterId: 'c1' }, first: 50, before: 'e2' })
  })

  it('filters by action and actor', async () => {
    const { queries } = renderPage(<AuditPage />, { AuditPage: audit }, { isClusterAdmin: true })
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Action'), 'token.create')
    await user.type(screen.getByLabelText('Who'), 'bob')
    await user.click(screen.getByRole('button', { name: 'Filter' }))
    await waitFor(() => expect(auditVariables(queries).at(-1)).toEqual({ filter: { action: 'token.create', actor: 'bob', clusterId: 'c1' }, first: 50, before: null }))
  })

  it('lets operators list every cluster', async () => {
    const { queries } = renderPage(<AuditPage />, { AuditPage: audit }, { isOperator: true })
    const user = userEvent.setup()
    await user.click(await screen.findByLabelText(/All clusters/))
    await waitFor(() => expect(auditVariables(queries).at(-1)).toEqual({ filter: { all: true }, first: 50, before: null }))
  })

  it('starts an operator without a cluster on every cluster', async () => {
    const { queries } = renderPage(<AuditPage />, { AuditPage: audit }, { isOperator: true, cluster: null })
    const all = (await screen.findByLabelText(/All clusters/)) as HTMLInputElement
    expect(all.checked).toBe(true)
    expect(all.disabled).toBe(true)
    expect(auditVariables(queries)[0]).toEqual({ filter: { all: true }, first: 50, before: null })
  })

  it('is for admins of the cluster only', async () => {
    renderPage(<AuditPage />, { AuditPage: audit })
    expect(await screen.findByText('Only admins of prod')).toBeTruthy()
  })
})
