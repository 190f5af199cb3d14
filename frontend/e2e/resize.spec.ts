import type { Page } from '@playwright/test'
import { recordSessions, recordTraffic } from './fixtures.ts'
import { expect, login, mainNav, test, users } from './helpers.ts'

// The resize request/approve flow through the UI, on an OPENSTACK cluster: the cloud is
// the FAKE one global-setup.ts starts (kaas-testbed --openstack-fake, registered in the
// real Keystone), whose first master is PLAYED by a real etcd and kube-apiserver booted
// from the user data the panel gave the server. oscar (operator) provisions it with 2
// workers and ursula as its admin; ursula asks for 3 workers on its Overview, oscar
// approves on Operations → Clusters and follows the resize job; ursula then sees 3 workers
// and her request approved. Her next request, for 1 worker, oscar declines with a reason
// she sees. oscar deletes the cluster at the end, so later specs see what they saw before.

const NAME = `os-resize-${Date.now().toString(36)}`
const GROW_REASON = 'more room for the nightly batch jobs'
const DECLINE_REASON = 'the batch jobs still need the third worker this quarter'
// Each job step is held open 1.5 s by the test panel (--fault-pause-after-step); the
// create job also waits for the played master's API.
const JOB_TIMEOUT = 120_000

async function expectJobSucceeded(page: Page, heading: string): Promise<void> {
  await expect(page).toHaveURL(/\/operations\/jobs\/[^/]+$/)
  await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible()
  await expect(page.getByTestId('job-status')).toHaveText('succeeded', { timeout: JOB_TIMEOUT })
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute('aria-valuenow', '100')
}

// openOverviewOf signs in as ursula, makes the cluster her active one from the sidebar
// (a menu when she administers several clusters) and opens its Overview.
async function openOverviewOf(page: Page): Promise<void> {
  await login(page, users.ursula)
  const menu = page.getByLabel('Active cluster')
  // Her only cluster is shown by name instead.
  await expect(menu.or(page.getByText(NAME, { exact: true })).first()).toBeVisible()
  if (await menu.isVisible()) {
    await menu.selectOption({ label: NAME })
    await expect(menu.locator('option:checked')).toHaveText(NAME)
  }
  await page.goto('/')
  await expect(page.getByRole('heading', { level: 1, name: `Cluster ${NAME}` })).toBeVisible()
}

function workersShown(page: Page) {
  return page.getByRole('region', { name: 'Provisioned size' }).locator('dd').first()
}

function resizeSection(page: Page) {
  return page.getByRole('region', { name: 'Resize' })
}

test('an OPENSTACK cluster is resized on request: ursula asks, oscar approves into a job, then declines her next request with a reason', async ({ page: oscar, browser, baseURL }) => {
  test.setTimeout(420_000)
  const ursulaContext = await browser.newContext({ baseURL })
  const ursula = await ursulaContext.newPage()
  recordTraffic(ursula)

  // oscar provisions the cluster on the fake cloud through the form.
  await login(oscar, users.oscar)
  await mainNav(oscar).getByRole('link', { name: 'Clusters' }).click()
  await expect(oscar).toHaveURL(/\/operations\/clusters$/)
  const form = oscar.getByRole('form', { name: 'Provision a cluster' })
  await form.getByLabel('Cluster name').fill(NAME)
  await form.getByLabel('Base domain').fill('kaas.test')
  await form.getByLabel('Driver').selectOption('OPENSTACK')
  await expect(form.getByLabel('Admin kubeconfig of the running cluster')).toHaveCount(0)
  await form.getByLabel('Admin user').fill('ursula')
  await form.getByLabel('Workers').fill('2')
  await form.getByRole('button', { name: 'Provision cluster' }).click()
  await expectJobSucceeded(oscar, 'Provision cluster')
  const createJobURL = oscar.url()

  // ursula, its admin, sees 2 workers and asks for 3.
  await openOverviewOf(ursula)
  await expect(workersShown(ursula)).toHaveText(/^2 /)
  const resize = resizeSection(ursula)
  const request = resize.getByRole('form', { name: 'Request a resize' })
  await expect(request.getByLabel('Workers')).toHaveValue('2')
  await request.getByLabel('Workers').fill('3')
  await request.getByLabel('Reason for the operators').fill(GROW_REASON)
  await request.getByRole('button', { name: 'Request resize' }).click()
  await expect(resize.getByRole('status')).toHaveText('Your request was sent to the operators.')
  const myRequests = resize.getByRole('table', { name: 'Resize requests' }).getByTestId('resize-request')
  await expect(myRequests).toHaveCount(1)
  await expect(myRequests.first().locator('td')).toHaveText([/.+/, '3', 'ursula', 'waiting for an operator', 'none yet'])
  // One pending request at a time: the form waits for the decision.
  await expect(request.getByRole('button', { name: 'Request resize' })).toBeDisabled()

  // oscar sees it pending on Operations → Clusters and approves: the resize job's page.
  await oscar.goto('/operations/clusters')
  const pending = oscar
    .getByRole('region', { name: 'Resize requests' })
    .getByTestId('resize-request')
    .filter({ has: oscar.getByRole('rowheader', { name: NAME, exact: true }) })
  await expect(pending).toHaveCount(1)
  await expect(pending).toContainText('2 → 3')
  await expect(pending).toContainText(GROW_REASON)
  await expect(pending).toContainText('pending')
  await pending.getByRole('button', { name: `Approve the resize of ${NAME} to 3 workers` }).click()
  await expectJobSucceeded(oscar, 'Resize cluster')
  expect(oscar.url()).not.toBe(createJobURL)
  const stepItems = oscar.getByRole('list', { name: 'Steps' }).getByRole('listitem')
  await expect(stepItems).toContainText([/resize-workers\s*\(done\)$/, /record-size\s*\(done\)$/])

  // ursula's Overview: 3 workers, the request approved by oscar.
  await expect(async () => {
    await ursula.reload()
    await expect(workersShown(ursula)).toHaveText(/^3 /, { timeout: 2_000 })
  }).toPass({ timeout: 30_000 })
  await expect(myRequests.first().locator('td')).toHaveText([/.+/, '3', 'ursula', 'approved: the resize job runs', 'oscar'])
  await expect(request.getByLabel('Workers')).toHaveValue('3')

  // ursula asks for 1 worker; oscar declines with a reason, which she sees.
  await request.getByLabel('Workers').fill('1')
  await request.getByRole('button', { name: 'Request resize' }).click()
  await expect(resize.getByRole('status')).toHaveText('Your request was sent to the operators.')
  await expect(myRequests).toHaveCount(2)

  await oscar.goto('/operations/clusters')
  const shrink = oscar
    .getByRole('region', { name: 'Resize requests' })
    .getByTestId('resize-request')
    .filter({ has: oscar.getByRole('rowheader', { name: NAME, exact: true }) })
    .filter({ hasText: 'pending' })
  await expect(shrink).toHaveCount(1)
  await expect(shrink).toContainText('3 → 1')
  await shrink.getByRole('button', { name: 'Decline…' }).click()
  const decline = shrink.getByRole('form', { name: 'Decline the request' })
  await expect(decline.getByRole('button', { name: 'Decline' })).toBeDisabled()
  await decline.getByLabel('Why (shown to the requester)').fill(DECLINE_REASON)
  await decline.getByRole('button', { name: 'Decline' }).click()
  const declined = oscar
    .getByRole('region', { name: 'Resize requests' })
    .getByTestId('resize-request')
    .filter({ has: oscar.getByRole('rowheader', { name: NAME, exact: true }) })
    .filter({ hasText: 'declined by oscar' })
  await expect(declined).toContainText(`declined by oscar: “${DECLINE_REASON}”`)
  await expect(oscar).toHaveURL(/\/operations\/clusters$/)

  await expect(async () => {
    await ursula.reload()
    await expect(myRequests.filter({ hasText: 'declined' }).locator('td').nth(4)).toHaveText(`oscar: “${DECLINE_REASON}”`, { timeout: 2_000 })
  }).toPass({ timeout: 30_000 })
  await expect(myRequests.filter({ hasText: 'declined' }).locator('td').nth(1)).toHaveText('1')
  // Declined, nothing changed: still 3 workers, and a new request can be made.
  await expect(workersShown(ursula)).toHaveText(/^3 /)
  await expect(request.getByRole('button', { name: 'Request resize' })).toBeEnabled()

  // oscar deletes the cluster (its cloud resources and the played master go with it).
  await oscar.getByRole('button', { name: `Delete cluster ${NAME}`, exact: true }).click()
  const dialog = oscar.getByRole('dialog', { name: `Delete cluster “${NAME}”?` })
  await dialog.getByLabel(`Type ${NAME} to confirm`).fill(NAME)
  await dialog.getByRole('button', { name: 'Delete cluster' }).click()
  await expectJobSucceeded(oscar, 'Delete cluster')
  await recordSessions(ursula)
  await ursulaContext.close()
})
