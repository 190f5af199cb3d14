import type { Page, TestInfo } from '@playwright/test'
import { expect, findOrAdoptCluster, graphqlData, graphqlRequest, login, selectCluster, test, users, viewerRoles } from './helpers.ts'
import type { User } from './helpers.ts'
import { testbedCluster } from './testbed.ts'

// Every page at 1280×800 and 1024×768: nothing overflows sideways (the document and each
// table's container), no table action is clipped, the sidebar's column reaches the bottom
// of long pages, and a full-page screenshot of each is kept (test-results/, attached to
// the report).
//
// The pages are shown with content: alpha adopted (idempotent, as in clusters.spec.ts),
// alice holding tokens with long names, the clusters' bindings and audit trail.

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
]

interface PageCheck {
  path: string
  user: User
  heading: RegExp
}

let jobPath = ''

test.beforeAll(async ({ browser }) => {
  const baseURL = process.env.KAAS_E2E_BASE_URL
  const context = await browser.newContext({ baseURL })
  const page = await context.newPage()
  try {
    await login(page, users.alice)
    const role = (await viewerRoles(page)).find((r) => r.name === 'demo-cluster-admin')
    if (!role) throw new Error('alice does not hold demo-cluster-admin: is the test Keystone seeded?')
    const { tokens } = await graphqlData<{ tokens: { name: string }[] }>(page, `query E2ELayoutTokens { tokens { name } }`)
    for (const name of ['laptop', 'a rather long token name for the deployment pipeline of team blue']) {
      if (tokens.some((t) => t.name === name)) continue
      const r = await graphqlRequest(page, `mutation E2ELayoutToken($name: String!) { createToken(input: { name: $name, lifetimeDays: 20 }) { secret } }`, { name })
      if (r.errors?.length) throw new Error(`create token: ${JSON.stringify(r.errors)}`)
    }
    await context.clearCookies()
    await login(page, users.oscar)
    const alpha = await findOrAdoptCluster(page, { name: 'alpha', baseDomain: 'kaas.test', kubeconfig: testbedCluster('alpha').adminKubeconfig, adminRoleIds: [role.id] })
    await selectCluster(page, alpha.id)
    const { jobs } = await graphqlData<{ jobs: { id: string }[] }>(page, `query E2ELayoutJobs { jobs { id } }`)
    jobPath = jobs.length ? `/operations/jobs/${jobs[0].id}` : ''
    await context.clearCookies()
    await login(page, users.alice)
    await selectCluster(page, alpha.id)
    // Bindings with long names on alpha, to a Keystone user and a role.
    const { bindings } = await graphqlData<{ bindings: { name: string }[] }>(page, `query E2ELayoutBindings($id: ID) { bindings(clusterId: $id) { name } }`, { id: alpha.id })
    const { keystoneUsers } = await graphqlData<{ keystoneUsers: { users: { id: string; name: string }[] } }>(
      page,
      `query E2ELayoutUsers($id: ID) { keystoneUsers(clusterId: $id, search: "ursula") { users { id name } } }`,
      { id: alpha.id },
    )
    const ursula = keystoneUsers.users.find((u) => u.name === 'ursula')
    if (!ursula) throw new Error('the test Keystone has no user ursula')
    const member = (await graphqlData<{ keystoneRoles: { id: string; name: string }[] }>(page, `query E2ELayoutRoles($id: ID) { keystoneRoles(clusterId: $id) { id name } }`, { id: alpha.id })).keystoneRoles.find(
      (r) => r.name === 'member',
    )
    for (const [name, subjectKind, subjectId] of [
      ['e2e-layout-a-binding-with-a-rather-long-name-for-ursula', 'KEYSTONE_USER', ursula.id],
      ['e2e-layout-another-binding-with-a-long-name-for-members', 'KEYSTONE_ROLE', member?.id ?? ''],
    ]) {
      if (bindings.some((b) => b.name === name)) continue
      await graphqlData(page, `mutation E2ELayoutBind($input: CreateBindingInput!) { createBinding(input: $input) { id } }`, {
        input: { clusterId: alpha.id, name, namespace: 'default', roleName: 'view', subjectKind, subjectId },
      })
    }
  } finally {
    await context.close()
  }
})

function pages(): PageCheck[] {
  const list: PageCheck[] = [
    { path: '/', user: users.alice, heading: /Cluster alpha/ },
    { path: '/services', user: users.alice, heading: /Services/ },
    { path: '/tokens', user: users.alice, heading: /Tokens/ },
    { path: '/admin/access', user: users.alice, heading: /Access/ },
    { path: '/admin/backups', user: users.alice, heading: /Backups/ },
    { path: '/admin/audit', user: users.alice, heading: /Audit/ },
    { path: '/operations/clusters', user: users.oscar, heading: /Clusters/ },
  ]
  // A job's page: a real one when the panel ran a job, else the page's not-found state.
  list.push({ path: jobPath || '/operations/jobs/no-such-job', user: users.oscar, heading: /./ })
  list.push({ path: '/no-such-page', user: users.oscar, heading: /./ })
  return list
}

// overflow measures what sticks out sideways: the document and every table container,
// and every button in a table that lies outside its container's visible box.
async function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement
    const out: string[] = []
    if (doc.scrollWidth > doc.clientWidth) out.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`)
    document.querySelectorAll('.table-wrap').forEach((wrap, i) => {
      if (wrap.scrollWidth > wrap.clientWidth) {
        const columns = [...wrap.querySelectorAll('thead th')].map((th) => `${th.textContent || '·'} ${Math.round(th.getBoundingClientRect().width)}`)
        out.push(`table container ${i} ${wrap.scrollWidth} > ${wrap.clientWidth} (columns: ${columns.join(', ')})`)
      }
      const box = wrap.getBoundingClientRect()
      wrap.querySelectorAll('button').forEach((b) => {
        if (!b.checkVisibility()) return // e.g. in a closed dialog
        const r = b.getBoundingClientRect()
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`button “${b.textContent}” in table container ${i} is clipped`)
      })
    })
    return out
  })
}

// pixel reads one pixel of a PNG in a blank page (no CSP there), as [r, g, b].
async function pixel(page: Page, png: Buffer, x: number, fromBottom: number): Promise<number[]> {
  const blank = await page.context().newPage()
  try {
    return await blank.evaluate(
      async ({ b64, x, fromBottom }) => {
        const img = new Image()
        img.src = `data:image/png;base64,${b64}`
        await img.decode()
        const canvas = document.createElement('canvas')
        canvas.width = img.width
        canvas.height = img.height
        const ctx = canvas.getContext('2d')!
        ctx.drawImage(img, 0, 0)
        return Array.from(ctx.getImageData(x, img.height - fromBottom, 1, 1).data.slice(0, 3))
      },
      { b64: png.toString('base64'), x, fromBottom },
    )
  } finally {
    await blank.close()
  }
}

function rgb(css: string): number[] {
  return (css.match(/\d+/g) ?? []).slice(0, 3).map(Number)
}

async function keepScreenshot(testInfo: TestInfo, name: string, png: Buffer) {
  await testInfo.attach(name, { body: png, contentType: 'image/png' })
}

for (const size of SIZES) {
  test(`every page fits ${size.width}×${size.height} without sideways overflow`, async ({ page }, testInfo) => {
    await page.setViewportSize(size)
    const problems: string[] = []
    let signedIn: User | null = null
    let longPages = 0

    // The login page, signed out.
    await page.goto('/login')
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
    problems.push(...(await overflow(page)).map((p) => `/login: ${p}`))
    await keepScreenshot(testInfo, `login-${size.width}.png`, await page.screenshot({ fullPage: true, path: testInfo.outputPath(`login-${size.width}.png`) }))

    for (const check of pages()) {
      if (signedIn !== check.user) {
        await page.context().clearCookies()
        await login(page, check.user)
        signedIn = check.user
      }
      await page.goto(check.path)
      await expect(page.getByRole('heading', { level: 1, name: check.heading })).toBeVisible()
      // Wait until the page's data is in: no loading state left.
      await expect(page.locator('.state--loading')).toHaveCount(0)
      problems.push(...(await overflow(page)).map((p) => `${check.path}: ${p}`))
      const file = `${check.path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'overview'}-${size.width}.png`
      const png = await page.screenshot({ fullPage: true, path: testInfo.outputPath(file) })
      await keepScreenshot(testInfo, file, png)

      // On a page longer than the screen, the sidebar's column is still the sidebar's
      // colour at the very bottom of the page.
      const { height, sidebar } = await page.evaluate(() => ({
        height: document.documentElement.scrollHeight,
        sidebar: getComputedStyle(document.querySelector('aside')!).backgroundColor,
      }))
      if (height > size.height + 50) {
        longPages++
        const bottom = await pixel(page, png, 10, 3)
        if (bottom.join() !== rgb(sidebar).join()) problems.push(`${check.path}: the sidebar column is ${bottom} at the page's bottom, not ${rgb(sidebar)}`)
      }
    }

    // The token table keeps still when Delete is clicked (its container does not scroll
    // to reveal a clipped button).
    if (signedIn !== users.alice) {
      await page.context().clearCookies()
      await login(page, users.alice)
    }
    await page.goto('/tokens')
    const wrap = page.getByTestId('token-table').locator('xpath=..')
    await page.getByRole('button', { name: /^Delete token laptop/ }).click()
    await expect(page.getByRole('dialog')).toBeVisible()
    expect(await wrap.evaluate((e) => e.scrollLeft)).toBe(0)
    await page.keyboard.press('Escape')

    expect(longPages).toBeGreaterThan(0)
    expect(problems).toEqual([])
  })
}
