import type { Page } from '@playwright/test'
import { expect, signIn, test, users } from './fixtures.ts'

// watchCSP records every Content-Security-Policy violation the page reports, from the
// first script on: the securitypolicyviolation events and Chromium's console messages.
async function watchCSP(page: Page): Promise<string[]> {
  const seen: string[] = []
  await page.exposeFunction('reportCSPViolation', (v: string) => seen.push(v))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      ;(window as unknown as { reportCSPViolation: (v: string) => void }).reportCSPViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || 'inline code'} in ${e.documentURI}`,
      )
    })
  })
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(`console: ${m.text()}`)
  })
  return seen
}

test('the GraphQL playground runs under its strict policy with no violation', async ({ page }) => {
  const violations = await watchCSP(page)
  const response = await page.goto('/playground')
  const csp = response?.headers()['content-security-policy'] ?? ''
  expect(csp).toContain("script-src 'self' 'nonce-")
  expect(csp).not.toContain('unsafe-inline')

  // GraphiQL renders from the panel's own files and answers a query.
  const editor = page.locator('.graphiql-query-editor .CodeMirror')
  await expect(editor).toBeVisible()
  await page.evaluate(() => {
    const cm = document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } }
    cm.CodeMirror.setValue('{ __typename }')
  })
  await page.getByRole('button', { name: /Execute query/i }).click()
  await expect(page.locator('.result-window')).toContainText('"__typename": "Query"')

  // Its dialogs add a style element of their own, stamped with the page's nonce.
  await page.getByRole('button', { name: 'Open settings dialog' }).click()
  await expect(page.getByRole('dialog')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)

  expect(violations).toEqual([])

  // The policy is enforced: inline code without the nonce does not run, and is reported.
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { injected?: boolean }
    const s = document.createElement('script')
    s.textContent = 'window.injected = true'
    document.body.appendChild(s)
    await new Promise((r) => setTimeout(r, 100))
    return w.injected === true
  })
  expect(ran).toBe(false)
  await expect.poll(() => violations.length).toBeGreaterThan(0)
})

test('the single-page app runs under its policy with no violation', async ({ page }) => {
  const violations = await watchCSP(page)
  const response = await page.goto('/login')
  expect(response?.headers()['content-security-policy'] ?? '').toContain("script-src 'self';")
  await signIn(page, users.alice)
  for (const path of ['/tokens', '/services', '/admin/access']) {
    await page.goto(path)
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible()
  }
  expect(violations).toEqual([])
})
