import { readFileSync } from 'node:fs'
import { expect, signIn, test, users } from './fixtures.ts'

test('create a token: secret shown once, listed by prefix, deleted after confirmation', async ({ page }) => {
  await signIn(page, users.ursula)
  await page.goto('/tokens')
  await expect(page.getByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible()

  const name = `e2e-${Date.now()}`
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Lifetime (days)').fill('30')
  await page.getByRole('button', { name: 'Create token' }).click()

  // The secret, once, with the warning.
  const panel = page.getByTestId('new-token')
  await expect(panel).toBeVisible()
  await expect(panel).toContainText('Copy the token now: it will not be shown again.')
  const secret = ((await panel.getByTestId('token-secret').textContent()) ?? '').trim()
  expect(secret.length).toBeGreaterThanOrEqual(40)
  await expect(panel.getByTestId('kubectl-command')).toContainText(`--token=${secret} get ns`)

  // Listed with its prefix, which is where the secret starts.
  const row = page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) })
  await expect(row).toHaveCount(1)
  const prefix = ((await row.locator('code').first().textContent()) ?? '').trim()
  expect(prefix.length).toBeGreaterThan(0)
  expect(secret.startsWith(prefix)).toBe(true)
  expect(prefix.length).toBeLessThan(secret.length)
  // A 30-day token expires within 30 days: flagged.
  await expect(row.getByTestId('token-expiry')).toHaveText(/^expires soon: (29|30) days left$/)

  // A kubeconfig when there is an active cluster; an explanation when there is none.
  const download = panel.getByRole('button', { name: /Download kubeconfig/ })
  if (await download.isEnabled()) {
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()])
    expect(file.suggestedFilename()).toMatch(/^kubeconfig-.+\.yaml$/)
    const yaml = readFileSync(await file.path(), 'utf8')
    expect(yaml).toContain(`token: "${secret}"`)
    expect(yaml).toContain('certificate-authority-data: ')
  } else {
    await expect(panel).toContainText('available once there is an active cluster')
  }

  // The secret is in no URL and no storage.
  expect(page.url()).not.toContain(secret)
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }))
  expect(stored).not.toContain(secret)

  // Hidden, and gone for good after a reload; the token stays listed.
  await panel.getByRole('button', { name: /hide the token/ }).click()
  await expect(page.getByTestId('new-token')).toHaveCount(0)
  await page.reload()
  await expect(row).toHaveCount(1)
  await expect(page.getByText(secret)).toHaveCount(0)

  // A cluster (here: the test, calling the webhook as a kube-apiserver does, without a
  // cluster credential) accepts the token: "Last cluster" says why it is unknown. Last use
  // is written in batches: reload until it shows. The test panel also serves the webhook
  // over https (--webhook-addr, which its OPENSTACK driver needs), so clusters can name
  // themselves: the reason given is the missing credential, with no plain-http note (the
  // plain-http panel's note: TokensPage.test.tsx).
  const review = await page.request.post('/authenticate', {
    data: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: secret } },
  })
  expect(review.ok()).toBe(true)
  expect((await review.json()).status.authenticated).toBe(true)
  await expect(async () => {
    await page.reload()
    await expect(row.getByTestId('last-cluster')).toHaveText('cluster unknown', { timeout: 2_000 })
  }).toPass({ timeout: 30_000 })
  await expect(row.getByTestId('last-cluster')).toHaveAttribute('title', 'Last used on this panel’s API, or by a cluster that calls the webhook without its cluster credential.')
  await expect(page.getByTestId('last-cluster-note')).toHaveCount(0)

  // Delete asks first, saying what is true; Escape cancels.
  const deleteButton = row.getByRole('button', { name: `Delete token ${name} (${prefix})` })
  const dialog = page.getByRole('dialog', { name: `Delete token “${name}”?` })
  await deleteButton.click()
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await expect(dialog).toContainText('The panel refuses it from now on; clusters keep the panel’s last answer for up to 10 seconds')
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(row).toHaveCount(1)

  await deleteButton.click()
  await expect(dialog).toBeVisible()
  await dialog.getByRole('button', { name: 'Delete token' }).click()
  await expect(dialog).toBeHidden()
  await expect(row).toHaveCount(0)
  await expect(page.getByRole('status')).toContainText(`Token “${name}” deleted. The panel refuses it from now on`)
  // The panel refuses it at once.
  const after = await page.request.post('/authenticate', {
    data: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: secret } },
  })
  expect((await after.json()).status.authenticated ?? false).toBe(false)
  await page.reload()
  await expect(page.getByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible()
  await expect(row).toHaveCount(0)
})

test('token lifetime is checked before anything is created', async ({ page }) => {
  await signIn(page, users.ursula)
  await page.goto('/tokens')
  await page.getByLabel('Name').fill('too-long')
  await page.getByLabel('Lifetime (days)').fill('400')
  await page.getByRole('button', { name: 'Create token' }).click()
  await expect(page.getByRole('alert')).toContainText('Choose between 1 and 365 days.')
  await expect(page.getByTestId('new-token')).toHaveCount(0)
})
