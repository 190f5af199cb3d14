import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { downloadText } from '../../lib/download'
import { buildKubeconfig, kubeconfigFileName } from '../../lib/kubeconfig'
import type { KubeconfigCluster } from '../../lib/kubeconfig'
import { checkToken } from '../../lib/token'

// KubeconfigFromToken builds a kubeconfig for any cluster from a token the user already
// holds. It is built here, in the browser: the token is never sent to the panel (the form
// submits nowhere), only checked for its shape and checksum.
export function KubeconfigFromToken({
  clusters,
  activeClusterId,
  userName,
}: {
  clusters: readonly (KubeconfigCluster & { id: string })[]
  activeClusterId: string | null
  userName: string
}) {
  const ids = { cluster: useId(), token: useId(), hint: useId() }
  const [clusterId, setClusterId] = useState(activeClusterId ?? clusters[0]?.id ?? '')
  const [token, setToken] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [done, setDone] = useState('')
  const cluster = clusters.find((c) => c.id === clusterId) ?? null

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setDone('')
    const secret = token.trim()
    const wrong = cluster ? checkToken(secret) : 'Choose a cluster.'
    setProblem(wrong)
    if (wrong || !cluster) return
    const fileName = kubeconfigFileName(cluster.name)
    downloadText(fileName, buildKubeconfig({ cluster, userName, token: secret }), 'application/yaml')
    setDone(`Saved ${fileName} for ${cluster.name}. Try it: kubectl --kubeconfig ${fileName} get ns`)
  }

  return (
    <section className="panel" aria-labelledby="kubeconfig-heading" data-testid="kubeconfig-from-token">
      <h2 id="kubeconfig-heading">Kubeconfig for a token you hold</h2>
      {clusters.length === 0 ? (
        <p className="muted">There is no cluster yet: once an operator adds one, build its kubeconfig here.</p>
      ) : (
        <form className="form" noValidate onSubmit={onSubmit}>
          <p className="field__hint" id={ids.hint}>
            Paste one of your tokens to get a kubeconfig for any cluster. It is built in your browser: the token is not sent to
            the panel, which cannot tell here whether it is still valid.
          </p>
          <div className="form-row">
            <div className="field">
              <label htmlFor={ids.cluster}>Cluster</label>
              <select id={ids.cluster} className="select" value={clusterId} onChange={(e) => setClusterId(e.target.value)}>
                {clusters.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field field--grow">
              <label htmlFor={ids.token}>Token</label>
              <input
                id={ids.token}
                className="input"
                type="password"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                placeholder="kaas_…"
                aria-describedby={ids.hint}
                aria-invalid={problem ? true : undefined}
                value={token}
                onChange={(e) => {
                  setToken(e.target.value)
                  setProblem(null)
                  setDone('')
                }}
              />
            </div>
            <button type="submit" className="btn btn--secondary">
              Download kubeconfig
            </button>
          </div>
          <div aria-live="polite">
            {problem && (
              <p className="form-error" role="alert">
                {problem}
              </p>
            )}
            {done && (
              <p className="form-success" role="status">
                {done}
              </p>
            )}
          </div>
        </form>
      )}
    </section>
  )
}
