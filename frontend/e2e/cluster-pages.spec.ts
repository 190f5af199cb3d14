import { expect, expectAdminOnly, graphqlData, login, mainNav, test, users } from './helpers.ts'

// The cluster pages of a panel without any cluster (the test server adopts none).

test('a regular user has no Administration menu and gets the admins-only state on its deep links', async ({ page }) => {
  await login(page, users.ursula)
  await expect(mainNav(page).getByRole('heading', { name: 'Administration' })).toHaveCount(0)
  await expect(mainNav(page).getByRole('link', { name: 'Access' })).toHaveCount(0)

  for (const [path, title] of [
    ['/admin/access', 'Access'],
    ['/admin/backups', 'Backups'],
    ['/admin/audit', 'Audit'],
  ]) {
    await page.goto(path)
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
    await expectAdminOnly(page, null)
    await expect(page.getByRole('table')).toHaveCount(0)
  }

  // The server agrees: the shell's menu is only a convenience.
  const viewer = await graphqlData<{ viewer: { isClusterAdmin: boolean; activeCluster: unknown } }>(page, '{ viewer { id isClusterAdmin activeCluster { id } } }')
  expect(viewer.viewer).toEqual(expect.objectContaining({ isClusterAdmin: false, activeCluster: null }))
})

test('without a cluster the overview and the services say what comes next', async ({ page }) => {
  await login(page, users.ursula)
  await expect(page.getByRole('heading', { level: 1, name: 'Cluster overview' })).toBeVisible()
  await expect(page.getByText('No cluster yet: an operator adopts or provisions one')).toBeVisible()
  await expect(page.getByRole('alert')).toHaveCount(0)

  await mainNav(page).getByRole('link', { name: 'Services' }).click()
  await expect(page).toHaveURL(/\/services$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible()
  await expect(page.getByText('No cluster yet, so no services')).toBeVisible()
  await expect(page.getByRole('alert')).toHaveCount(0)
  await page.reload()
  await expect(page.getByText('No cluster yet, so no services')).toBeVisible()
})

test('an operator reads the whole audit trail, their own login included', async ({ page }) => {
  await login(page, users.oscar)
  await mainNav(page).getByRole('link', { name: 'Audit trail' }).click()
  await expect(page).toHaveURL(/\/admin\/audit$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible()
  const all = page.getByLabel(/All clusters/)
  await expect(all).toBeChecked()
  await expect(all).toBeDisabled()

  const table = page.getByTestId('audit-table')
  const loginRow = table.getByRole('row').filter({ hasText: 'oscar' }).filter({ hasText: 'login' })
  await expect(loginRow.first()).toBeVisible()
  await expect(loginRow.first().locator('.badge')).toHaveText('ok')

  await page.getByLabel('Action', { exact: true }).fill('login')
  await page.getByLabel('Who', { exact: true }).fill('oscar')
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(table.getByRole('row').nth(1)).toContainText('oscar')
  const actions = await table.locator('tbody td:nth-child(3)').allTextContents()
  expect(actions.length).toBeGreaterThan(0)
  expect(new Set(actions)).toEqual(new Set(['login']))
})
