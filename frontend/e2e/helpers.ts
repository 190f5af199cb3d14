import type { Page } from '@playwright/test'
import { expect, fillLogin, signIn, test, users } from './fixtures.ts'

// Reusable steps for browser tests against the real panel. GraphQL calls run inside the
// page (fetch from the panel's own origin), so they carry the signed-in user's session
// cookie and pass the server's Origin check, exactly like the app's own requests.

export { expect, fillLogin, test, users }

export type User = { name: string; password: string }

// login signs a user in through the real login page and waits for the app shell.
export async function login(page: Page, user: User): Promise<void> {
  await signIn(page, user)
}

// GraphQLError is one error of a GraphQL answer.
export interface GraphQLError {
  message: string
  extensions?: { code?: string }
}

// GraphQLAnswer is the server's JSON answer.
export interface GraphQLAnswer<T> {
  data?: T | null
  errors?: GraphQLError[]
}

// graphqlRequest POSTs a GraphQL document from the page, as the signed-in user, and
// returns the answer as it is (data and errors). The page must be on the panel's origin.
export async function graphqlRequest<T = Record<string, unknown>>(
  page: Page,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  return page.evaluate(
    async ({ query, variables }) => {
      const res = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      })
      return (await res.json()) as GraphQLAnswer<T>
    },
    { query, variables },
  )
}

// graphqlData is graphqlRequest that fails the test on any error, naming its code.
export async function graphqlData<T = Record<string, unknown>>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await graphqlRequest<T>(page, query, variables)
  if (answer.errors?.length || !answer.data) {
    const why = (answer.errors ?? []).map((e) => `${e.message} (${e.extensions?.code ?? 'no code'})`).join('; ')
    throw new Error(`GraphQL request failed: ${why || 'no data'}`)
  }
  return answer.data
}

// errorCodes lists the extensions.code of an answer's errors.
export function errorCodes(answer: GraphQLAnswer<unknown>): string[] {
  return (answer.errors ?? []).map((e) => e.extensions?.code ?? '')
}

export interface AdoptedCluster {
  id: string
  name: string
  status: string
}

// adoptCluster registers a running cluster (the signed-in user must be an operator, e.g.
// users.oscar). adminRoleIds empty: the role <name>-cluster-admin, created when missing.
export async function adoptCluster(
  page: Page,
  input: { name: string; baseDomain: string; kubeconfig: string; adminRoleIds?: string[] },
): Promise<AdoptedCluster> {
  const data = await graphqlData<{ adoptCluster: AdoptedCluster }>(
    page,
    `mutation E2EAdopt($input: AdoptClusterInput!) { adoptCluster(input: $input) { id name status } }`,
    { input: { ...input, adminRoleIds: input.adminRoleIds?.length ? input.adminRoleIds : null } },
  )
  return data.adoptCluster
}

// clusters lists the environment's clusters.
export async function clusters(page: Page): Promise<AdoptedCluster[]> {
  const data = await graphqlData<{ clusters: AdoptedCluster[] }>(page, `query E2EClusters { clusters { id name status } }`)
  return data.clusters
}

// findOrAdoptCluster adopts the cluster unless one of that name exists already (tests
// share one server), and returns it.
export async function findOrAdoptCluster(
  page: Page,
  input: { name: string; baseDomain: string; kubeconfig: string; adminRoleIds?: string[] },
): Promise<AdoptedCluster> {
  const existing = (await clusters(page)).find((c) => c.name === input.name)
  return existing ?? adoptCluster(page, input)
}

// selectCluster makes the cluster the signed-in user's active cluster and reloads the page,
// so the app shell shows it.
export async function selectCluster(page: Page, id: string): Promise<void> {
  await graphqlData(page, `mutation E2ESelect($id: ID!) { selectCluster(id: $id) { id } }`, { id })
  await page.reload()
}

// viewerRoles are the Keystone roles the signed-in user holds (their IDs are the user's
// Kubernetes groups), e.g. to name an admin role when adopting.
export async function viewerRoles(page: Page): Promise<{ id: string; name: string }[]> {
  const data = await graphqlData<{ viewer: { roles: { id: string; name: string }[] } }>(page, `query E2ERoles { viewer { id roles { id name } } }`)
  return data.viewer.roles
}

// viewerFlags tells what the server thinks of the signed-in user on the active cluster.
export async function viewerFlags(page: Page): Promise<{ isOperator: boolean; isClusterAdmin: boolean; activeCluster: { id: string; name: string } | null }> {
  const data = await graphqlData<{ viewer: { isOperator: boolean; isClusterAdmin: boolean; activeCluster: { id: string; name: string } | null } }>(
    page,
    `query E2EFlags { viewer { id isOperator isClusterAdmin activeCluster { id name } } }`,
  )
  return data.viewer
}

// mainNav is the sidebar's navigation.
export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' })
}

// expectAdminOnly checks that the page shows the "only admins of <cluster>" state
// (clusterName null: there is no active cluster).
export async function expectAdminOnly(page: Page, clusterName: string | null): Promise<void> {
  const alert = page.getByRole('alert')
  await expect(alert).toContainText(clusterName ? `Only admins of ${clusterName}` : 'Only admins of the active cluster')
  await expect(alert).toContainText('FORBIDDEN')
}
