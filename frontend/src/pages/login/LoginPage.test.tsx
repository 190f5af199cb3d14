import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Route, Routes } from 'react-router'
import { CombinedError, Provider } from 'urql'
import type { Client } from 'urql'
import { describe, expect, it } from 'vitest'
import { fromValue, never } from 'wonka'
import { mockClient } from '../../test/mockClient'
import { LoginPage } from './LoginPage'

function renderLogin(client: Client, from?: string) {
  render(
    <Provider value={client}>
      <MemoryRouter initialEntries={[{ pathname: '/login', state: from ? { from } : undefined }]}>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/" element={<p>overview page</p>} />
          <Route path="/tokens" element={<p>tokens page</p>} />
        </Routes>
      </MemoryRouter>
    </Provider>,
  )
}

async function signIn(username: string, password: string, domain?: string) {
  const user = userEvent.setup()
  await user.type(screen.getByLabelText('Username'), username)
  await user.type(screen.getByLabelText('Password'), password)
  if (domain !== undefined) {
    await user.clear(screen.getByLabelText('Domain'))
    await user.type(screen.getByLabelText('Domain'), domain)
  }
  await user.click(screen.getByRole('button', { name: 'Sign in' }))
}

function failing(message: string, code: string, extra: Record<string, unknown> = {}) {
  return () =>
    fromValue({ error: new CombinedError({ graphQLErrors: [{ message, extensions: { code, ...extra } }] }) })
}

describe('LoginPage', () => {
  it('has labelled fields and the Default domain', () => {
    renderLogin(mockClient({}))
    expect(screen.getByLabelText('Username')).toBeTruthy()
    expect((screen.getByLabelText('Password') as HTMLInputElement).type).toBe('password')
    expect((screen.getByLabelText('Domain') as HTMLInputElement).value).toBe('Default')
  })

  const errors = [
    {
      name: 'wrong credentials',
      message: 'authentication failed',
      code: 'UNAUTHENTICATED',
      shown: 'Wrong username, password or domain.',
      showsCode: false,
    },
    {
      name: 'Keystone down',
      message: 'Keystone is unreachable: dial tcp 127.0.0.1:5000: connection refused',
      code: 'UNAVAILABLE',
      shown: 'Keystone is unreachable: dial tcp 127.0.0.1:5000: connection refused',
      showsCode: true,
    },
    { name: 'internal error', message: 'internal error', code: 'INTERNAL', shown: 'internal error', showsCode: true },
    {
      name: 'throttled sign-ins with the wait',
      message: 'too many failed logins for this user; try again later',
      code: 'RATE_LIMITED',
      extra: { retryAfterSeconds: 8 },
      shown: 'Too many failed sign-ins. Try again in 8 seconds.',
      showsCode: true,
    },
    {
      name: 'throttled sign-ins with a long wait',
      message: 'too many failed logins from this address; try again later',
      code: 'RATE_LIMITED',
      extra: { retryAfterSeconds: 125 },
      shown: 'Try again in 3 minutes.',
      showsCode: true,
    },
  ]
  for (const tc of errors) {
    it(`shows ${tc.name}`, async () => {
      renderLogin(mockClient({ mutation: failing(tc.message, tc.code, tc.extra) }))
      await signIn('ursula', 'nope')
      const alert = await screen.findByRole('alert')
      expect(alert.textContent).toContain(tc.shown)
      expect(alert.textContent?.includes(tc.code)).toBe(tc.showsCode)
      // The password is cleared for the next try; the username stays.
      expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('')
      expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('ursula')
      expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy()
    })
  }

  it('sends the credentials and goes to the page the user wanted', async () => {
    const client = mockClient({
      query: () => fromValue({ data: { viewer: null } }),
      mutation: () => fromValue({ data: { login: { id: 'u1', name: 'ursula' } } }),
    })
    renderLogin(client, '/tokens')
    await signIn(' ursula ', 'ursula-pass', 'Users')
    expect(await screen.findByText('tokens page')).toBeTruthy()
    expect(client.mutations).toHaveLength(1)
    expect(client.mutations[0].variables).toEqual({ username: 'ursula', password: 'ursula-pass', domain: 'Users' })
  })

  it('goes to the overview when no page was asked for, and never off-site', async () => {
    const client = mockClient({ mutation: () => fromValue({ data: { login: { id: 'u1', name: 'ursula' } } }) })
    renderLogin(client, '//evil.example/')
    await signIn('ursula', 'ursula-pass')
    expect(await screen.findByText('overview page')).toBeTruthy()
  })

  it('shows the button busy while signing in', async () => {
    renderLogin(mockClient({ mutation: () => never }))
    await signIn('ursula', 'ursula-pass')
    const button = await screen.findByRole('button', { name: 'Signing in…' })
    expect((button as HTMLButtonElement).disabled).toBe(true)
  })
})
