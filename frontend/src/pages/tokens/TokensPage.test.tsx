import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { Provider } from 'urql'
import { describe, expect, it } from 'vitest'
import { fromValue } from 'wonka'
import { mockClient } from '../../test/mockClient'
import { TokensPage } from './TokensPage'

const SECRET = 'kaas_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa_1a2b3c4d'

const existing = {
  id: 't1',
  name: 'laptop',
  prefix: 'kaas_1111',
  createdAt: '2026-01-01T10:00:00Z',
  expiresAt: '2999-01-01T10:00:00Z',
  lastUsedAt: null,
  lastUsedCluster: null,
}

function renderTokens(cluster: { id: string; name: string; apiURL: string; caPEM: string } | null) {
  const client = mockClient({
    query: () =>
      fromValue({
        data: {
          tokenPage: { tokens: [existing], nextAfter: null },
          viewer: { id: 'u1', name: 'ursula', activeCluster: cluster },
        },
      }),
    mutation: () =>
      fromValue({
        data: {
          createToken: {
            secret: SECRET,
            token: { ...existing, id: 't2', name: 'ci', prefix: 'kaas_9f8e', createdAt: '2026-02-01T10:00:00Z' },
          },
        },
      }),
  })
  render(
    <Provider value={client}>
      <MemoryRouter initialEntries={['/tokens']}>
        <TokensPage />
      </MemoryRouter>
    </Provider>,
  )
  return client
}

async function createToken(name: string, days?: string) {
  const user = userEvent.setup()
  await user.type(screen.getByLabelText('Name'), name)
  if (days !== undefined) {
    await user.clear(screen.getByLabelText('Lifetime (days)'))
    await user.type(screen.getByLabelText('Lifetime (days)'), days)
  }
  await user.click(screen.getByRole('button', { name: 'Create token' }))
  return user
}

describe('TokensPage', () => {
  it('asks for one page of tokens and shows more after the cursor on request', async () => {
    const older = { ...existing, id: 't0', name: 'old laptop', prefix: 'kaas_0000' }
    const asked: Record<string, unknown>[] = []
    const client = mockClient({
      query: (op) => {
        asked.push(op.variables as Record<string, unknown>)
        if (op.query.definitions.some((d) => d.kind === 'OperationDefinition' && d.name?.value === 'MoreTokens')) {
          return fromValue({ data: { tokenPage: { tokens: [older], nextAfter: null } } })
        }
        return fromValue({
          data: { tokenPage: { tokens: [existing], nextAfter: 'cursor-1' }, viewer: { id: 'u1', name: 'ursula', activeCluster: null } },
        })
      },
    })
    render(
      <Provider value={client}>
        <MemoryRouter initialEntries={['/tokens']}>
          <TokensPage />
        </MemoryRouter>
      </Provider>,
    )
    expect(screen.getByTestId('token-count').textContent).toBe('Showing your 1 newest tokens.')
    await userEvent.setup().click(screen.getByRole('button', { name: 'Show more tokens' }))
    const table = await screen.findByRole('table')
    expect(await within(table).findByRole('rowheader', { name: 'old laptop' })).toBeTruthy()
    expect(within(table).getByRole('rowheader', { name: 'laptop' })).toBeTruthy()
    expect(asked.filter((v) => 'after' in v)).toEqual([{ first: 100, after: 'cursor-1' }])
    expect(asked.filter((v) => !('after' in v)).every((v) => v.first === 100)).toBe(true)
    expect(screen.queryByRole('button', { name: 'Show more tokens' })).toBeNull()
  })

  it('lists tokens with their prefix', () => {
    renderTokens(null)
    const table = screen.getByRole('table')
    expect(within(table).getByRole('rowheader', { name: 'laptop' })).toBeTruthy()
    expect(within(table).getByText('kaas_1111')).toBeTruthy()
    expect(within(table).getByText('never')).toBeTruthy()
  })

  it('shows a new secret once, with the warning, and keeps it out of storage and the URL', async () => {
    const client = renderTokens(null)
    const user = await createToken('ci', '30')
    expect(client.mutations[0].variables).toEqual({ input: { name: 'ci', lifetimeDays: 30 } })

    const panel = await screen.findByTestId('new-token')
    expect(within(panel).getByTestId('token-secret').textContent).toBe(SECRET)
    expect(panel.textContent).toContain('it will not be shown again')
    expect(within(panel).getByTestId('kubectl-command').textContent).toBe(`kubectl --token=${SECRET} get ns`)
    const download = within(panel).getByRole('button', { name: /Download kubeconfig/ }) as HTMLButtonElement
    expect(download.disabled).toBe(true)
    expect(panel.textContent).toContain('the download is available once there is an active cluster')

    const stored = [...Object.values(localStorage), ...Object.values(sessionStorage)].join('\n')
    expect(stored).not.toContain(SECRET)
    expect(window.location.href).not.toContain(SECRET)

    await user.click(within(panel).getByRole('button', { name: /hide the token/ }))
    expect(screen.queryByTestId('new-token')).toBeNull()
    expect(document.body.textContent).not.toContain(SECRET)
  })

  it('names the active cluster in the kubectl line and offers its kubeconfig', async () => {
    renderTokens({ id: 'c1', name: 'prod', apiURL: 'https://127.0.0.1:6443', caPEM: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' })
    await createToken('ci')
    const panel = await screen.findByTestId('new-token')
    expect(within(panel).getByTestId('kubectl-command').textContent).toBe(
      `kubectl --server=https://127.0.0.1:6443 --certificate-authority=ca-prod.crt --token=${SECRET} get ns`,
    )
    const download = within(panel).getByRole('button', { name: 'Download kubeconfig (prod)' }) as HTMLButtonElement
    expect(download.disabled).toBe(false)
  })

  const invalid = [
    { name: 'no name', tokenName: ' ', days: '30', message: 'Give the token a name' },
    { name: 'lifetime too long', tokenName: 'ci', days: '366', message: 'Choose between 1 and 365 days.' },
    { name: 'lifetime zero', tokenName: 'ci', days: '0', message: 'Choose between 1 and 365 days.' },
  ]
  for (const tc of invalid) {
    it(`refuses ${tc.name} without asking the server`, async () => {
      const client = renderTokens(null)
      await createToken(tc.tokenName, tc.days)
      expect((await screen.findByRole('alert')).textContent).toContain(tc.message)
      expect(client.mutations).toHaveLength(0)
    })
  }
})
