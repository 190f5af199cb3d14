import { appendFileSync } from 'node:fs'

// The run's secret ledger (KAAS_SECRET_LEDGER, set by scripts/test.sh): every secret the
// browser tests create or receive is appended, one JSON object a line, in the format of
// internal/secretscan, whose scan of every log at the end of the run must not find any.
// Unset, nothing is recorded.

export const KIND = {
  token: 'API token',
  session: 'session JWT',
  password: 'password',
  webhookCredential: 'webhook credential',
  kubeconfigKey: 'kubeconfig key',
} as const

const seen = new Set<string>()

// recordSecret appends one secret to the ledger (once per process).
export function recordSecret(kind: string, value: string | null | undefined): void {
  const path = process.env.KAAS_SECRET_LEDGER
  if (!path || !value || seen.has(`${kind}\0${value}`)) return
  appendFileSync(path, JSON.stringify({ kind, value }) + '\n', { mode: 0o600 })
  seen.add(`${kind}\0${value}`)
}

// recordKubeconfig records a kubeconfig's bearer tokens (as tokenKind) and client keys:
// the base64 the kubeconfig holds, and the first line of key material of the PEM.
export function recordKubeconfig(kubeconfig: string, tokenKind: string): void {
  for (const m of kubeconfig.matchAll(/^\s*token:\s*"?([^"\s]+)"?\s*$/gm)) recordSecret(tokenKind, m[1])
  for (const m of kubeconfig.matchAll(/^\s*client-key-data:\s*"?([A-Za-z0-9+/=]+)"?\s*$/gm)) {
    recordSecret(KIND.kubeconfigKey, m[1])
    const pem = Buffer.from(m[1], 'base64').toString('utf8')
    recordSecret(KIND.kubeconfigKey, pem.split('\n').find((l) => l.trim() !== '' && !l.startsWith('-----') && !l.includes(':')))
  }
}

// recordGraphQL records what a GraphQL request sent (passwords, kubeconfigs) or its
// answer carried (token secrets, webhook kubeconfigs): every string under those keys.
export function recordGraphQL(json: string | null): void {
  if (!json) return
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return
  }
  walk('', value)
}

function walk(key: string, v: unknown): void {
  if (typeof v === 'string') {
    if (key === 'password' || key === 'p') recordSecret(KIND.password, v)
    else if (key === 'secret') recordSecret(KIND.token, v)
    else if (key === 'kubeconfig') recordKubeconfig(v, KIND.kubeconfigKey)
    else if (key === 'issueWebhookKubeconfig') recordKubeconfig(v, KIND.webhookCredential)
  } else if (Array.isArray(v)) {
    for (const x of v) walk(key, x)
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) walk(k, x)
  }
}
