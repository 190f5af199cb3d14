import { test as base, expect } from '@playwright/test'
import type { Page } from '@playwright/test'

// test is Playwright's test with baseURL pointing at the panel global-setup.ts started.
export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    const url = process.env.KAAS_E2E_BASE_URL
    if (!url) throw new Error('KAAS_E2E_BASE_URL is not set: global-setup.ts did not start the panel')
    await use(url)
  },
})

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
