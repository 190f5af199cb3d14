import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { base64, buildKubeconfig, caFileName, kubeconfigFileName, kubectlCommand, shellWord } from './kubeconfig'

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUe2x\n-----END CERTIFICATE-----\n'

function decode(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))
}

describe('buildKubeconfig', () => {
  it('writes one cluster, user and current context', () => {
    const yaml = buildKubeconfig({
      cluster: { name: 'prod', apiURL: 'https://10.0.0.5:6443', caPEM: PEM },
      userName: 'ursula',
      token: 'kaas_abc123',
    })
    const doc = parse(yaml)
    expect(doc).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'prod', cluster: { server: 'https://10.0.0.5:6443', 'certificate-authority-data': base64(PEM) } }],
      users: [{ name: 'ursula@prod', user: { token: 'kaas_abc123' } }],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'ursula@prod' } }],
      'current-context': 'prod',
      preferences: {},
    })
    expect(decode(doc.clusters[0].cluster['certificate-authority-data'])).toBe(PEM)
  })

  const tricky = [
    { name: 'quotes and backslashes', value: 'a"b\\c\'d' },
    { name: 'yaml syntax', value: 'x: y # not a comment\n- [item]' },
    { name: 'looks like a boolean', value: 'yes' },
    { name: 'looks like a number', value: '0123' },
    { name: 'control characters', value: 'tab\there\u0001\u2028' },
    { name: 'non-ASCII', value: 'ürsula-集群' },
  ]
  for (const tc of tricky) {
    it(`keeps values intact: ${tc.name}`, () => {
      const doc = parse(
        buildKubeconfig({ cluster: { name: tc.value, apiURL: tc.value, caPEM: '' }, userName: tc.value, token: tc.value }),
      )
      expect(doc.clusters[0].name).toBe(tc.value)
      expect(doc.clusters[0].cluster.server).toBe(tc.value)
      expect(doc.users[0].user.token).toBe(tc.value)
      expect(doc.users[0].name).toBe(`${tc.value}@${tc.value}`)
      expect(doc['current-context']).toBe(tc.value)
      expect(Object.keys(doc).sort()).toEqual(['apiVersion', 'clusters', 'contexts', 'current-context', 'kind', 'preferences', 'users'])
    })
  }

  it('leaves out certificate-authority-data without a CA', () => {
    const doc = parse(buildKubeconfig({ cluster: { name: 'c', apiURL: 'https://c', caPEM: '  ' }, userName: 'u', token: 't' }))
    expect(doc.clusters[0].cluster).toEqual({ server: 'https://c' })
  })
})

describe('base64', () => {
  it('encodes UTF-8', () => {
    expect(base64('hello')).toBe('aGVsbG8=')
    expect(decode(base64('größe ✓'))).toBe('größe ✓')
  })
})

describe('file names', () => {
  const cases = [
    { name: 'plain', cluster: 'prod-1', kubeconfig: 'kubeconfig-prod-1.yaml', ca: 'ca-prod-1.crt' },
    { name: 'unsafe characters', cluster: '../a b/c', kubeconfig: 'kubeconfig-a-b-c.yaml', ca: 'ca-a-b-c.crt' },
    { name: 'nothing usable', cluster: '///', kubeconfig: 'kubeconfig-cluster.yaml', ca: 'ca-cluster.crt' },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      expect(kubeconfigFileName(tc.cluster)).toBe(tc.kubeconfig)
      expect(caFileName(tc.cluster)).toBe(tc.ca)
    })
  }
})

describe('kubectlCommand', () => {
  it('names server and CA file when there is a cluster', () => {
    expect(kubectlCommand('kaas_abc', { name: 'prod', apiURL: 'https://127.0.0.1:6443', caPEM: PEM })).toBe(
      'kubectl --server=https://127.0.0.1:6443 --certificate-authority=ca-prod.crt --token=kaas_abc get ns',
    )
  })
  it('is the bare command without a cluster', () => {
    expect(kubectlCommand('kaas_abc', null)).toBe('kubectl --token=kaas_abc get ns')
  })
  it('quotes what a shell would split', () => {
    expect(shellWord("it's here")).toBe(`'it'\\''s here'`)
    expect(shellWord('$(rm -rf /)')).toBe(`'$(rm -rf /)'`)
    expect(shellWord('https://a.b:6443/x')).toBe('https://a.b:6443/x')
  })
})
