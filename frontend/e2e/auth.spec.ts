import { expect, fillLogin, signIn, test, users } from './fixtures.ts'

test('a signed-out visit to a deep link goes to /login and back after signing in', async ({ page }) => {
  await page.goto('/tokens')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await expect(page.getByLabel('Domain')).toHaveValue('Default')

  await fillLogin(page, users.ursula)
  await expect(page).toHaveURL(/\/tokens$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible()
})

test('ursula signs in, sees her name, survives a reload of /tokens and logs out', async ({ page }) => {
  await signIn(page, users.ursula)
  await expect(page).toHaveURL(/\/$/)
  const shell = page.getByRole('region', { name: 'Signed in user' })
  await expect(shell.getByTestId('viewer-name')).toHaveText('ursula')
  await expect(shell).toContainText(/domain default/i)

  // A regular user gets the user menus only.
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'Overview' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Services' })).toBeVisible()
  await expect(nav.getByRole('heading', { name: 'Administration' })).toHaveCount(0)
  await expect(nav.getByRole('heading', { name: 'Operations' })).toHaveCount(0)

  await nav.getByRole('link', { name: 'Tokens' }).click()
  await expect(page).toHaveURL(/\/tokens$/)
  await page.reload()
  await expect(page).toHaveURL(/\/tokens$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Tokens' })).toBeVisible()
  await expect(page.getByTestId('viewer-name')).toHaveText('ursula')

  await page.getByRole('button', { name: 'Log out' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()

  // The session is gone on the server too, not only in the page.
  await page.goto('/tokens')
  await expect(page).toHaveURL(/\/login$/)
})

test('a wrong password says so and stays on /login', async ({ page }) => {
  await page.goto('/login')
  await fillLogin(page, { name: users.ursula.name, password: 'not-her-password' })
  await expect(page.getByRole('alert')).toHaveText('Wrong username, password or domain.')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByLabel('Password')).toHaveValue('')
})

test('failed sign-ins for one user are throttled, and the page says how long to wait', async ({ page }) => {
  // A name of this run's own, so the throttle it trips concerns no other test's user.
  const victim = { name: `spray-${Date.now()}`, password: 'guess' }
  await page.goto('/login')
  let throttled = ''
  for (let attempt = 1; attempt <= 10 && !throttled; attempt++) {
    await fillLogin(page, { ...victim, password: `guess-${attempt}` })
    // The password is cleared once the answer is in, whatever it was.
    await expect(page.getByLabel('Password')).toHaveValue('')
    const text = (await page.getByRole('alert').textContent()) ?? ''
    if (text.includes('RATE_LIMITED')) throttled = `${attempt}: ${text}`
    else expect(text).toContain('Wrong username, password or domain.')
  }
  // The server lets five failures through; the sixth is refused with the wait.
  expect(throttled).toMatch(/^6: Too many failed sign-ins\. Try again in \d+ seconds?\.\s*RATE_LIMITED$/)
  await expect(page).toHaveURL(/\/login$/)
})

test('an unknown domain is refused like a wrong password', async ({ page }) => {
  await page.goto('/login')
  await page.getByLabel('Domain').fill('no-such-domain')
  await fillLogin(page, users.ursula)
  await expect(page.getByRole('alert')).toHaveText('Wrong username, password or domain.')
})

test('a user disabled in Keystone cannot sign in', async ({ page }) => {
  await page.goto('/login')
  await fillLogin(page, users.dora)
  await expect(page.getByRole('alert')).toBeVisible()
  await expect(page.getByRole('alert')).not.toBeEmpty()
  await expect(page).toHaveURL(/\/login$/)
  await page.goto('/')
  await expect(page).toHaveURL(/\/login$/)
})

test('an operator sees the Operations menu and the cluster list', async ({ page }) => {
  await signIn(page, users.oscar)
  const nav = page.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Clusters' }).click()
  await expect(page).toHaveURL(/\/operations\/clusters$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Clusters' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Adopt a running cluster' })).toBeVisible()
  await expect(page.getByRole('alert')).toHaveCount(0)
})
