// The kubeconfig and kubectl line for a new token are built in the browser, so the
// token's secret never travels back to the server.

// KubeconfigCluster is what a kubeconfig needs to know about a cluster.
export interface KubeconfigCluster {
  name: string
  apiURL: string
  caPEM: string
}

// KubeconfigInput is a cluster plus the credentials of one user on it.
export interface KubeconfigInput {
  cluster: KubeconfigCluster
  userName: string
  token: string
}

// yamlString quotes text as a YAML double-quoted scalar. JSON strings are valid YAML
// double-quoted scalars, so JSON's escaping covers quotes, backslashes, newlines and
// control characters, and no value can turn into a number, a boolean or a new key.
function yamlString(text: string): string {
  return JSON.stringify(text)
}

// base64 encodes text as UTF-8 in standard base64, as kubeconfig's *-data fields want.
export function base64(text: string): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

// safeFileStem keeps a name usable in a file name on every OS.
function safeFileStem(name: string): string {
  const stem = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '')
  return stem === '' ? 'cluster' : stem
}

// kubeconfigFileName is the download name of a cluster's kubeconfig.
export function kubeconfigFileName(clusterName: string): string {
  return `kubeconfig-${safeFileStem(clusterName)}.yaml`
}

// caFileName is the download name of a cluster's CA certificate.
export function caFileName(clusterName: string): string {
  return `ca-${safeFileStem(clusterName)}.crt`
}

// buildKubeconfig writes a kubeconfig (YAML) with one cluster, one user authenticating
// with the token, and a context joining them that is the current context.
export function buildKubeconfig({ cluster, userName, token }: KubeconfigInput): string {
  const userEntry = `${userName}@${cluster.name}`
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${yamlString(cluster.name)}`,
    '  cluster:',
    `    server: ${yamlString(cluster.apiURL)}`,
  ]
  if (cluster.caPEM.trim() !== '') {
    lines.push(`    certificate-authority-data: ${yamlString(base64(cluster.caPEM))}`)
  }
  lines.push(
    'users:',
    `- name: ${yamlString(userEntry)}`,
    '  user:',
    `    token: ${yamlString(token)}`,
    'contexts:',
    `- name: ${yamlString(cluster.name)}`,
    '  context:',
    `    cluster: ${yamlString(cluster.name)}`,
    `    user: ${yamlString(userEntry)}`,
    `current-context: ${yamlString(cluster.name)}`,
    'preferences: {}',
  )
  return lines.join('\n') + '\n'
}

// shellWord quotes a word for a POSIX shell when it needs quoting.
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:@=+,%-]+$/.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

// kubectlCommand is a first command to try a token with. With a cluster it names the
// API server and the CA file (downloaded as caFileName); without one kubectl's current
// context decides where it goes.
export function kubectlCommand(token: string, cluster?: KubeconfigCluster | null): string {
  const words = ['kubectl']
  if (cluster) {
    words.push(`--server=${shellWord(cluster.apiURL)}`)
    if (cluster.caPEM.trim() !== '') {
      words.push(`--certificate-authority=${shellWord(caFileName(cluster.name))}`)
    }
  }
  words.push(`--token=${shellWord(token)}`, 'get', 'ns')
  return words.join(' ')
}
