import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { Provider } from 'urql'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Operation } from 'urql'
import { fromValue } from 'wonka'
import { downloadText } from '../../lib/download'
import { mockClient } from '../../test/mockClient'
import { TokensPage } from './TokensPage'

const SECRET = 'kaas_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa_1a2b3c4d'

type TokenRow = { id: string; name: string; prefix: string; createdAt: string; expiresAt: string; lastUsedAt: string | null; lastUsedCluster: string | null }

const existing: TokenRow = {
  id: 't1',
  name: 'laptop',
  prefix: 'kaas_1111',
  createdAt: '2026-01-01T10:00:00Z',
  expiresAt: '2999-01-01T10:00:00Z',
  lastUsedAt: null,
  lastUsedCluster: null,
}

const plainHTTP = { webhookCacheSeconds: 10, webhookIdentifiesClusters: false }

const CA = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n'
const allClusters = [
  { id: 'c1', name: 'prod', apiURL: 'https://127.0.0.1:6443', caPEM: CA },
  { id: 'c2', name: 'beta', apiURL: 'https://10.0.0.2:6443', caPEM: CA },
]
const queries: Operation[] = []

function renderTokens(
  cluster: { id: string; name: string; apiURL: string; caPEM: string } | null,
  tokens = [existing],
  settings = plainHTTP,
) {
  const client = mockClient({
    query: (op) => {
      queries.push(op)
      return fromValue({ data: { tokenPage: { tokens, nextAfter: null }, settings, clusters: allClusters, viewer: { id: 'u1', name: 'ursula', activeCluster: cluster } } })
    },
    mutation: (op) =>
      fromValue({
        data: op.query.loc?.source.body.includes('deleteToken')
          ? { deleteToken: true }
          : {
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

vi.mock('../../lib/download', () => ({ downloadText: vi.fn() }))

// Made by tokens.Generate (Go): a token of the right shape and checksum.
const HELD = 'kaas_0El6XFXwsUFD8J2vGxsaboW7rZYnQRBP5d9erwRwd291Whv5k'

describe('TokensPage', () => {
  beforeEach(() => {
    queries.length = 0
    vi.mocked(downloadText).mockClear()
  })

  it('builds a kubeconfig for any cluster from a pasted token, in the browser', async () => {
    const client = renderTokens(allClusters[0])
    const user = userEvent.setup()
    const form = screen.getByTestId('kubeconfig-from-token')
    expect((within(form).getByLabelText('Cluster') as HTMLSelectElement).value).toBe('c1')
    await user.selectOptions(within(form).getByLabelText('Cluster'), 'beta')
    await user.type(within(form).getByLabelText('Token'), HELD.slice(0, -1) + 'x')
    await user.click(within(form).getByRole('button', { name: 'Download kubeconfig' }))
    expect(within(form).getByRole('alert').textContent).toContain('checksum does not match')
    expect(downloadText).not.toHaveBeenCalled()

    await user.clear(within(form).getByLabelText('Token'))
    await user.type(within(form).getByLabelText('Token'), ` ${HELD} `)
    await user.click(within(form).getByRole('button', { name: 'Download kubeconfig' }))
    expect(downloadText).toHaveBeenCalledTimes(1)
    const [fileName, yaml] = vi.mocked(downloadText).mock.calls[0]
    expect(fileName).toBe('kubeconfig-beta.yaml')
    expect(yaml).toContain('server: "https://10.0.0.2:6443"')
    expect(yaml).toContain(`token: "${HELD}"`)
    expect(within(form).getByRole('status').textContent).toContain('kubectl --kubeconfig kubeconfig-beta.yaml get ns')
    // Nothing went to the server with it.
    expect(client.mutations).toHaveLength(0)
    expect(JSON.stringify(queries.map((q) => q.variables))).not.toContain(HELD)
  })

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
          data: { tokenPage: { tokens: [existing], nextAfter: 'cursor-1' }, settings: plainHTTP, clusters: [], viewer: { id: 'u1', name: 'ursula', activeCluster: null } },
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
    expect(await within(table).findByRole('rowheader', { name: 'old laptop kaas_0000' })).toBeTruthy()
    expect(within(table).getByRole('rowheader', { name: 'laptop kaas_1111' })).toBeTruthy()
    expect(asked.filter((v) => 'after' in v)).toEqual([{ first: 100, after: 'cursor-1' }])
    expect(asked.filter((v) => !('after' in v)).every((v) => v.first === 100)).toBe(true)
    expect(screen.queryByRole('button', { name: 'Show more tokens' })).toBeNull()
  })

  it('lists tokens with their prefix', () => {
    renderTokens(null)
    const table = screen.getByRole('table')
    expect(within(table).getByRole('rowheader', { name: 'laptop kaas_1111' })).toBeTruthy()
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

  it('flags a token that expires within 30 days', () => {
    const soon = { ...existing, id: 't3', name: 'old', prefix: 'kaas_3333', expiresAt: new Date(Date.now() + 10 * 86_400_000 + 3_600_000).toISOString() }
    renderTokens(null, [existing, soon])
    const [, later, expiring] = within(screen.getByRole('table')).getAllByRole('row')
    expect(within(expiring).getByTestId('token-expiry').textContent).toBe('expires soon: 10 days left')
    expect(within(expiring).getByTestId('token-expiry').className).toContain('badge--warning')
    expect(within(later).getByTestId('token-expiry').textContent).not.toContain('soon')
  })

  it('says why the last cluster is unknown when clusters call the webhook over plain http', () => {
    const used = { ...existing, lastUsedAt: '2026-01-02T10:00:00Z' }
    renderTokens(null, [used])
    const cell = screen.getByTestId('last-cluster')
    expect(cell.textContent).toBe('cluster unknown')
    expect(cell.getAttribute('title')).toContain('over plain http')
    const note = screen.getByTestId('last-cluster-note')
    expect(note.textContent).toContain('The cluster a token was last used on stays unknown')
    expect(cell.getAttribute('aria-describedby')).toBe(note.id)
  })

  it('has no plain-http note when clusters name themselves', () => {
    renderTokens(null, [{ ...existing, lastUsedAt: '2026-01-02T10:00:00Z', lastUsedCluster: 'alpha' }], { webhookCacheSeconds: 10, webhookIdentifiesClusters: true })
    expect(screen.queryByTestId('last-cluster-note')).toBeNull()
    expect(screen.getByTestId('last-cluster').textContent).toBe('on alpha')
  })

  it('says what deleting a token does: the panel at once, clusters within their cache time', async () => {
    const client = renderTokens(null, [existing], { webhookCacheSeconds: 7, webhookIdentifiesClusters: false })
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Delete token laptop (kaas_1111)' }))
    const dialog = screen.getByRole('dialog')
    expect(dialog.textContent).toContain('The panel refuses it from now on; clusters keep the panel’s last answer for up to 7 seconds')
    expect(dialog.textContent).not.toContain('at once, on every cluster')
    await user.click(within(dialog).getByRole('button', { name: 'Delete token' }))
    expect(client.mutations[0].variables).toEqual({ id: 't1' })
    expect((await screen.findByText(/Token “laptop” deleted/)).textContent).toContain('up to 7 seconds')
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
