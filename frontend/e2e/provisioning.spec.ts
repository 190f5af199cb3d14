import type { Page } from '@playwright/test'
import { clusters, expect, graphqlData, login, mainNav, test, users } from './helpers.ts'
import { testbedCluster } from './testbed.ts'

// Provisioning through the UI against the testbed's third cluster, gamma (etcd +
// kube-apiserver, its token webhook pointing at the panel): oscar (operator) provisions
// it with the EXISTING driver as gamma-prov, ursula its admin, follows the job's live
// progress, sees the cluster in the sidebar's menu, then deletes it with its typed name.
// Runs after clusters.spec.ts, which adopted alpha and beta: the menu is a choice.

const NAME = 'gamma-prov'
const CREATE_STEPS = ['validate', 'keystone-admin-role', 'infrastructure', 'wait-for-api', 'addons', 'bootstrap', 'register']
const DELETE_STEPS = ['mark-deleting', 'remove-bootstrap', 'keystone-admin-role', 'unregister']
// A provisioning run takes a few seconds.
const JOB_TIMEOUT = 60_000

function logLines(page: Page) {
  return page.getByTestId('job-log').locator('li[data-seq]')
}

// expectSeqsInOrder checks that the log shows each event once, in seq order, with no gap.
async function expectSeqsInOrder(page: Page): Promise<string[]> {
  const seqs = await logLines(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))
  expect(seqs.length).toBeGreaterThan(0)
  expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i))
  return logLines(page).allTextContents()
}

async function expectSucceeded(page: Page, steps: string[]): Promise<void> {
  const bar = page.getByRole('progressbar', { name: 'Progress' })
  await expect(bar).toHaveAttribute('aria-valuenow', '100', { timeout: JOB_TIMEOUT })
  await expect(page.getByTestId('job-status')).toHaveText('succeeded', { timeout: JOB_TIMEOUT })
  const stepItems = page.getByRole('list', { name: 'Steps' }).getByRole('listitem')
  // Each step in order (a driver may add its own in between), every one ticked.
  await expect(stepItems).toContainText(steps.map((s) => new RegExp(`^.?${s}\\s*\\(done\\)$`)))
  await expect(stepItems.filter({ hasNotText: '(done)' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Cancel job' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0)
}

function clusterMenu(page: Page) {
  return page.getByLabel('Active cluster')
}

test('oscar provisions gamma-prov, follows its job live, sees it in the menu and deletes it with its typed name', async ({ page }) => {
  test.setTimeout(180_000)
  const gamma = testbedCluster('gamma')
  await login(page, users.oscar)
  expect((await clusters(page)).some((c) => c.name === NAME)).toBe(false)

  await mainNav(page).getByRole('link', { name: 'Clusters' }).click()
  await expect(page).toHaveURL(/\/operations\/clusters$/)
  const form = page.getByRole('form', { name: 'Provision a cluster' })
  await expect(form.getByLabel('Driver')).toHaveValue('EXISTING')
  await expect(form.getByLabel('Driver').locator('option:checked')).toHaveText('Existing cluster (bootstrap only)')
  // The drivers this panel is configured with: the test panel has the kube binaries and
  // an OpenStack region (the fake cloud global-setup.ts starts, for resize.spec.ts).
  await expect(form.getByLabel('Driver').locator('option')).toHaveText([
    'Existing cluster (bootstrap only)',
    "Local (etcd + kube-apiserver on the panel's host)",
    'OpenStack (Nova servers, Octavia load balancer, kubeadm)',
  ])
  await expect(form.getByLabel('Workers')).toHaveValue('3')
  await expect(form.getByLabel('vCPUs per worker')).toHaveValue('4')

  // An unknown admin user is refused with the server's message and code; no job starts.
  await form.getByLabel('Cluster name').fill(NAME)
  await form.getByLabel('Base domain').fill('kaas.test')
  await form.getByLabel('Admin user').fill('nobody-here')
  await form.getByLabel('Admin kubeconfig of the running cluster').fill(gamma.adminKubeconfig)
  await form.getByRole('button', { name: 'Provision cluster' }).click()
  await expect(form.getByRole('alert')).toContainText('nobody-here')
  await expect(form.getByRole('alert')).toContainText('INVALID')
  await expect(page).toHaveURL(/\/operations\/clusters$/)

  // Zero workers is refused before anything is sent.
  await form.getByLabel('Admin user').fill('ursula')
  await form.getByLabel('Workers').fill('0')
  await form.getByRole('button', { name: 'Provision cluster' }).click()
  await expect(form.getByRole('alert')).toContainText('Workers: a whole number from 1 to 100.')
  await expect(page).toHaveURL(/\/operations\/clusters$/)

  await form.getByLabel('Workers').fill('2')
  await form.getByRole('button', { name: 'Provision cluster' }).click()
  await expect(page).toHaveURL(/\/operations\/jobs\/[^/]+$/)
  const jobURL = page.url()
  await expect(page.getByRole('heading', { level: 2, name: 'Provision cluster' })).toBeVisible()

  // A reload in the middle of the job (the test panel holds each step open 1.5 s):
  // the replay brings back what was shown, then live events follow, each once, in order.
  await expect(logLines(page)).toContainText(['ursula holds'], { timeout: JOB_TIMEOUT })
  await expect(page.getByTestId('job-status')).toHaveText('running')
  const beforeReload = await expectSeqsInOrder(page)
  await page.reload()
  await expect(page.getByTestId('job-status')).toHaveText('running')
  await expect(logLines(page)).toContainText(beforeReload)
  await expectSucceeded(page, CREATE_STEPS)
  expect((await expectSeqsInOrder(page)).length).toBeGreaterThan(beforeReload.length)

  // The log, in seq order: validate's line first, register's last.
  await expect(logLines(page)).toContainText([
    'queued',
    `the name ${NAME} is free`,
    'ursula holds',
    'bootstrapped',
    `cluster ${NAME} is ready`,
    'succeeded',
  ])
  const lines = await expectSeqsInOrder(page)
  await expect(page.getByTestId('job-elapsed')).toHaveText(/^\d+(s|m \d\ds)$/)

  // Registered with the size asked for.
  const sized = await graphqlData<{ clusters: { name: string; size: { workers: number; workerVcpu: number } }[] }>(
    page,
    `query E2ESizes { clusters { name size { workers workerVcpu } } }`,
  )
  expect(sized.clusters.find((c) => c.name === NAME)?.size).toEqual({ workers: 2, workerVcpu: 4 })

  // The sidebar's menu offers the new cluster without a reload.
  await expect(clusterMenu(page).locator('option', { hasText: new RegExp(`^${NAME}$`) })).toHaveCount(1)

  // A reload replays the whole log from the start, once.
  await page.reload()
  await expect(page.getByTestId('job-status')).toHaveText('succeeded')
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute('aria-valuenow', '100')
  await expect(logLines(page)).toHaveCount(lines.length)
  expect(await expectSeqsInOrder(page)).toEqual(lines)
  await expect(clusterMenu(page).locator('option', { hasText: new RegExp(`^${NAME}$`) })).toHaveCount(1)

  // The job is listed among the recent jobs and links back here.
  await page.goto('/operations/clusters')
  const jobs = page.getByTestId('jobs-table')
  const jobLink = jobs.locator(`a[href="${new URL(jobURL).pathname}"]`)
  await expect(jobLink).toHaveText('Provision cluster')
  await expect(jobs.getByRole('row').filter({ has: page.locator(`a[href="${new URL(jobURL).pathname}"]`) })).toContainText('succeeded')

  // Delete: the button stays off until the name is typed.
  await page.getByRole('button', { name: `Delete cluster ${NAME}`, exact: true }).click()
  const dialog = page.getByRole('dialog', { name: `Delete cluster “${NAME}”?` })
  await expect(dialog).toBeVisible()
  const confirm = dialog.getByRole('button', { name: 'Delete cluster' })
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(`Type ${NAME} to confirm`).fill('gamma')
  await expect(confirm).toBeDisabled()
  await dialog.getByLabel(`Type ${NAME} to confirm`).fill(NAME)
  await expect(confirm).toBeEnabled()
  await confirm.click()
  await expect(page).toHaveURL(/\/operations\/jobs\/[^/]+$/)
  expect(page.url()).not.toBe(jobURL)
  await expect(page.getByRole('heading', { level: 2, name: 'Delete cluster' })).toBeVisible()
  await expectSucceeded(page, DELETE_STEPS)
  await expect(logLines(page)).toContainText([`cluster ${NAME} is being deleted`, `cluster ${NAME} is deleted`, 'succeeded'])
  await expectSeqsInOrder(page)

  // Gone from the menu and from the list.
  await expect(clusterMenu(page).locator('option', { hasText: NAME })).toHaveCount(0)
  expect((await clusters(page)).some((c) => c.name === NAME)).toBe(false)
})

test('a cancelled provisioning job is cleaned up with “Delete what it made”', async ({ page }) => {
  test.setTimeout(120_000)
  const gamma = testbedCluster('gamma')
  const name = 'gamma-gone'
  await login(page, users.oscar)
  await mainNav(page).getByRole('link', { name: 'Clusters' }).click()
  const form = page.getByRole('form', { name: 'Provision a cluster' })
  await form.getByLabel('Cluster name').fill(name)
  await form.getByLabel('Base domain').fill('kaas.test')
  await form.getByLabel('Admin user').fill('ursula')
  await form.getByLabel('Admin kubeconfig of the running cluster').fill(gamma.adminKubeconfig)
  await form.getByRole('button', { name: 'Provision cluster' }).click()
  await expect(page).toHaveURL(/\/operations\/jobs\/[^/]+$/)

  // Cancelled once its Keystone role exists (each step is held open 1.5 s here).
  await expect(page.getByRole('button', { name: 'Delete what it made' })).toHaveCount(0)
  await expect(logLines(page)).toContainText(['ursula holds'], { timeout: JOB_TIMEOUT })
  await page.getByRole('button', { name: 'Cancel job' }).click()
  await expect(page.getByTestId('job-status')).toHaveText('cancelled', { timeout: JOB_TIMEOUT })
  expect((await clusters(page)).some((c) => c.name === name)).toBe(false)

  await page.getByRole('button', { name: 'Delete what it made' }).click()
  const dialog = page.getByRole('dialog', { name: `Delete cluster “${name}”?` })
  await dialog.getByLabel(`Type ${name} to confirm`).fill(name)
  await dialog.getByRole('button', { name: 'Delete cluster' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Delete cluster' })).toBeVisible()
  await expectSucceeded(page, DELETE_STEPS)
  await expect(logLines(page)).toContainText([`deleted Keystone role ${name}-cluster-admin`, `cluster ${name} is deleted`])
})
