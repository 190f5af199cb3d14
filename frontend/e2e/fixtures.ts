import { test as base, expect } from '@playwright/test'
import type { Page } from '@playwright/test'
import { KIND, recordGraphQL, recordSecret } from './ledger.ts'

// test is Playwright's test with baseURL pointing at the panel global-setup.ts started,
// and a page whose GraphQL traffic and session cookies go to the run's secret ledger
// (ledger.ts): what the login form sends, the token secrets the panel answers.
export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    const url = process.env.KAAS_E2E_BASE_URL
    if (!url) throw new Error('KAAS_E2E_BASE_URL is not set: global-setup.ts did not start the panel')
    await use(url)
  },
  page: async ({ page }, use) => {
    recordTraffic(page)
    await use(page)
    await recordSessions(page)
  },
})

// recordTraffic sends a page's GraphQL traffic and the session cookies the panel sets to
// the run's secret ledger; the page fixture does it for every test's page, a test that
// opens a second browser context for another user does it for that page.
export function recordTraffic(page: Page): void {
  const graphql = (url: string) => new URL(url).pathname === '/graphql'
  page.on('request', (req) => {
    if (req.method() === 'POST' && graphql(req.url())) recordGraphQL(req.postData())
  })
  page.on('response', (res) => {
    if (res.request().method() !== 'POST' || !graphql(res.url())) return
    res.text().then(recordGraphQL, () => {})
    res.headerValue('set-cookie').then((v) => recordSecret(KIND.session, /kaas_session=([^;\s]+)/.exec(v ?? '')?.[1]), () => {})
  })
}

// recordSessions sends the page's session cookie, if any, to the ledger.
export async function recordSessions(page: Page): Promise<void> {
  for (const c of await page.context().cookies()) if (c.name === 'kaas_session') recordSecret(KIND.session, c.value)
}

export { expect }

// Demo users of the test Keystone (domain Default).
export const users = {
  ursula: { name: 'ursula', password: 'ursula-pass' }, // a regular user
  alice: { name: 'alice', password: 'alice-pass' }, // admin of the demo cluster
  oscar: { name: 'oscar', password: 'oscar-pass' }, // operator
  dora: { name: 'dora', password: 'dora-pass' }, // disabled in Keystone
}

// fillLogin types credentials into the real login page and submits them.
export async function fillLogin(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.getByLabel('Username').fill(user.name)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

// signIn signs a user in through the login page and waits for the app shell.
export async function signIn(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto('/login')
  await fillLogin(page, user)
  await expect(page.getByTestId('viewer-name')).toHaveText(user.name)
}
