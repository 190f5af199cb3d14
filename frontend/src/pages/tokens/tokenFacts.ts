// What the Tokens page says about a token's last cluster and about deleting it.

// PLAIN_HTTP_WHY says why the panel cannot know the cluster a token was used on.
export const PLAIN_HTTP_WHY =
  'Clusters call this panel’s webhook over plain http, where kube-apiserver sends no cluster credential, so the panel cannot tell which cluster accepted a token.'

// lastCluster is what the "Last cluster" cell shows, and why when it is unknown.
export function lastCluster(
  token: { lastUsedAt: string | null; lastUsedCluster: string | null },
  webhookIdentifiesClusters: boolean,
): { text: string; why: string | null } {
  if (token.lastUsedCluster) return { text: token.lastUsedCluster, why: null }
  if (!token.lastUsedAt) return { text: '—', why: 'Not used yet.' }
  if (!webhookIdentifiesClusters) return { text: 'unknown', why: PLAIN_HTTP_WHY }
  return { text: 'unknown', why: 'Last used on this panel’s API, or by a cluster that calls the webhook without its cluster credential.' }
}

// seconds says a number of seconds in words.
function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`
}

// deletionEffect says what deleting a token does, truly: the panel refuses it at once,
// clusters only once their cache of the panel's answer runs out.
export function deletionEffect(webhookCacheSeconds: number): string {
  if (webhookCacheSeconds <= 0) return 'The panel and every cluster refuse it from now on.'
  return `The panel refuses it from now on; clusters keep the panel’s last answer for up to ${seconds(webhookCacheSeconds)}, so kubectl may still work that long.`
}
