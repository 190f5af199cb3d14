import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Operation } from 'urql'
import { operationName, renderPage } from '../../../test/renderPage'
import { AccessPage } from './AccessPage'

const bindings = [
  {
    id: 'kaas:default-cluster-admin',
    name: 'kaas:default-cluster-admin',
    namespace: null,
    roleKind: 'ClusterRole',
    roleName: 'cluster-admin',
    subjects: [{ kind: 'KEYSTONE_ROLE', id: 'r-admin', name: 'prod-cluster-admin', domain: null, keystoneId: 'r-admin' }],
    protected: true,
    createdAt: '2026-01-01T10:00:00Z',
  },
  {
    id: 'team-a/devs-edit',
    name: 'devs-edit',
    namespace: 'team-a',
    roleKind: 'ClusterRole',
    roleName: 'edit',
    subjects: [
      { kind: 'KEYSTONE_USER', id: 'bob', name: 'bob', domain: 'Default', keystoneId: 'u-bob' },
      { kind: 'OTHER', id: 'system:serviceaccounts', name: null, domain: null, keystoneId: null },
    ],
    protected: false,
    createdAt: null,
  },
]

const answers = {
  AccessPage: { data: { viewer: { id: 'u1', activeCluster: { id: 'c1', name: 'prod', protectedNamespaces: ['kube-system', 'kaas-system'] } }, bindings } },
  BindingOptions: { data: { kubernetesRoles: ['admin', 'edit', 'view'], emptyKubernetesRoles: [], keystoneRoles: [{ id: 'r-dev', name: 'developers' }] } },
  CreateBinding: {
    data: {
      createBinding: { id: 'team-b/devs-view', name: 'devs-view', namespace: 'team-b', roleKind: 'ClusterRole', roleName: 'view', subjects: [], protected: false, createdAt: null },
    },
  },
  DeleteBinding: { data: { deleteBinding: true } },
  KeystoneUsers: (op: Operation) => {
    // 23 users named bob-00 … bob-22, in Default; bob-05 cannot be a Kubernetes user.
    const { search, offset, limit } = op.variables as { search: string; offset: number; limit: number }
    const all = Array.from({ length: 23 }, (_, i) => `bob-${String(i).padStart(2, '0')}`).filter((n) => n.includes(search))
    const users = all.slice(offset, offset + limit).map((name) => ({
      id: `u-${name}`,
      name,
      domain: 'Default',
      enabled: name !== 'bob-01',
      kubernetesUsername: name === 'bob-05' ? null : name,
    }))
    return { data: { keystoneUsers: { users, total: all.length, offset, hasMore: offset + users.length < all.length } } }
  },
}

const admin = { isClusterAdmin: true }

describe('AccessPage', () => {
  it('tells a regular user it is for admins of the cluster, without asking the server', async () => {
    const { queries } = renderPage(<AccessPage />, answers)
    expect(await screen.findByText('Only admins of prod')).toBeTruthy()
    expect(screen.getByRole('alert').textContent).toContain('FORBIDDEN')
    expect(queries.map(operationName)).not.toContain('AccessPage')
  })

  it('shows the same state when the server answers FORBIDDEN', async () => {
    renderPage(<AccessPage />, { ...answers, AccessPage: { error: 'FORBIDDEN' } }, admin)
    expect(await screen.findByText('Only admins of prod')).toBeTruthy()
  })

  it('lists bindings with subject kinds, Keystone names and the protected badge', async () => {
    renderPage(<AccessPage />, answers, admin)
    const table = await screen.findByTestId('binding-table')
    const [, protectedRow, devRow] = within(table).getAllByRole('row')
    expect(protectedRow.textContent).toContain('protected')
    expect(protectedRow.textContent).toContain('cluster-wide')
    expect(protectedRow.textContent).toContain('Keystone role (group)')
    expect(protectedRow.textContent).toContain('prod-cluster-admin')
    expect(protectedRow.textContent).toContain('r-admin')
    expect(within(protectedRow).queryByRole('button')).toBeNull()
    expect(devRow.textContent).toContain('namespace team-a')
    expect(devRow.textContent).toContain('Keystone user')
    expect(devRow.textContent).toContain('bob (Default)')
    expect(devRow.textContent).not.toContain('bob bob')
    expect(devRow.textContent).toContain('u-bob')
    expect(devRow.textContent).toContain('other')
    expect(within(devRow).getByRole('button', { name: 'Delete binding devs-edit in team-a' })).toBeTruthy()
    expect(screen.getByText(/Keystone roles are Kubernetes groups/)).toBeTruthy()
  })

  it('warns about a protected namespace as it is typed and sends nothing', async () => {
    const { client } = renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Binding name'), 'sys-view')
    await user.click(screen.getByLabelText('One namespace'))
    await user.type(screen.getByLabelText('Namespace'), 'kube-system')
    expect(screen.getByTestId('protected-namespace').textContent).toContain('kube-system is managed by the panel')
    const submit = screen.getByRole('button', { name: 'Create binding' }) as HTMLButtonElement
    expect(submit.disabled).toBe(true)
    await user.clear(screen.getByLabelText('Namespace'))
    await user.type(screen.getByLabelText('Namespace'), 'team-b')
    expect(screen.queryByTestId('protected-namespace')).toBeNull()
    expect(client.mutations).toHaveLength(0)
  })

  it('grants a role to a Keystone role chosen by name', async () => {
    const { client } = renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Binding name'), 'devs-view')
    await user.click(screen.getByLabelText('One namespace'))
    await user.type(screen.getByLabelText('Namespace'), 'team-b')
    await user.selectOptions(screen.getByLabelText('Kubernetes role'), 'view')
    await user.selectOptions(screen.getByLabelText('Keystone role'), 'developers')
    await user.click(screen.getByRole('button', { name: 'Create binding' }))
    expect(client.mutations[0].variables).toEqual({
      input: { clusterId: 'c1', name: 'devs-view', namespace: 'team-b', roleName: 'view', subjectKind: 'KEYSTONE_ROLE', subjectId: 'r-dev' },
    })
    expect((await screen.findByRole('status')).textContent).toContain('Binding “devs-view” created')
  })

  it('says which roles grant nothing on this cluster', async () => {
    const noControllers = { ...answers, BindingOptions: { data: { ...answers.BindingOptions.data, emptyKubernetesRoles: ['view'] } } }
    renderPage(<AccessPage />, noControllers, admin)
    const user = userEvent.setup()
    const select = await screen.findByLabelText('Kubernetes role')
    expect(within(select).getByRole('option', { name: 'view (grants nothing on this cluster)' })).toBeTruthy()
    expect(within(select).getByRole('option', { name: 'edit' })).toBeTruthy()
    await user.selectOptions(select, 'view')
    expect(screen.getByText(/view holds no rules on this cluster: a binding to it grants nothing/)).toBeTruthy()
    await user.selectOptions(select, 'edit')
    expect(screen.queryByText(/holds no rules on this cluster/)).toBeNull()
  })

  it('finds a Keystone user by name, page by page, and grants the role to the one chosen', async () => {
    const { client, queries } = renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Binding name'), 'bob-view')
    await user.selectOptions(screen.getByLabelText('Kubernetes role'), 'view')
    await user.click(screen.getByLabelText('A user'))
    expect((await screen.findByTestId('user-page')).textContent).toBe('1–10 of 23')
    await user.click(screen.getByRole('button', { name: 'Next' }))
    await screen.findByText('11–20 of 23')
    await user.click(screen.getByRole('button', { name: 'Next' }))
    await screen.findByText('21–23 of 23')
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true)
    await user.type(screen.getByLabelText('Find a Keystone user'), 'bob-1')
    await screen.findByText('1–10 of 10')
    const searches = queries.filter((q) => operationName(q) === 'KeystoneUsers').map((q) => q.variables)
    expect(searches).toContainEqual({ clusterId: 'c1', search: '', offset: 10, limit: 10 })
    expect(searches.at(-1)).toEqual({ clusterId: 'c1', search: 'bob-1', offset: 0, limit: 10 })
    // A disabled user is marked; a user whose name cannot be a Kubernetes user cannot be chosen.
    expect(screen.getByRole('button', { name: 'bob-12 (Default)' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'bob-12 (Default)' }))
    const chosen = screen.getByTestId('chosen-user')
    expect(chosen.textContent).toContain('bob-12 (Default)')
    expect(chosen.textContent).toContain('u-bob-12')
    await user.click(screen.getByRole('button', { name: 'Create binding' }))
    expect(client.mutations[0].variables).toEqual({
      input: { clusterId: 'c1', name: 'bob-view', namespace: null, roleName: 'view', subjectKind: 'KEYSTONE_USER', subjectId: 'u-bob-12' },
    })
  })

  it('marks disabled users and refuses users Kubernetes cannot name', async () => {
    renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.click(await screen.findByLabelText('A user'))
    await screen.findByText('1–10 of 23')
    const bob01 = screen.getByRole('button', { name: 'bob-01 (Default)' })
    expect(bob01.parentElement?.textContent).toContain('disabled')
    expect((screen.getByRole('button', { name: 'bob-05 (Default)' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('asks to choose a user before sending anything', async () => {
    const { client } = renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Binding name'), 'bob-view')
    await user.selectOptions(screen.getByLabelText('Kubernetes role'), 'view')
    await user.click(screen.getByLabelText('A user'))
    await user.click(screen.getByRole('button', { name: 'Create binding' }))
    expect((await screen.findByRole('alert')).textContent).toContain('choose the Keystone user')
    expect(client.mutations).toHaveLength(0)
  })

  it('shows the server’s refusal with its code', async () => {
    renderPage(<AccessPage />, { ...answers, CreateBinding: { error: 'CONFLICT', message: 'binding devs-view exists' } }, admin)
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Binding name'), 'devs-view')
    await user.selectOptions(screen.getByLabelText('Kubernetes role'), 'view')
    await user.selectOptions(screen.getByLabelText('Keystone role'), 'developers')
    await user.click(screen.getByRole('button', { name: 'Create binding' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('binding devs-view exists')
    expect(alert.textContent).toContain('CONFLICT')
  })

  it('deletes a binding after a confirmation', async () => {
    const { client } = renderPage(<AccessPage />, answers, admin)
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Delete binding devs-edit in team-a' }))
    await user.click(screen.getByRole('button', { name: 'Delete binding' }))
    expect(client.mutations.map((m) => m.variables)).toEqual([{ input: { clusterId: 'c1', name: 'devs-edit', namespace: 'team-a' } }])
  })
})
