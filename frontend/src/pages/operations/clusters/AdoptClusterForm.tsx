import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation } from 'urql'
import { graphql } from '../../../gql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { useResetClient } from '../../../graphql/GraphQLProvider'
import { ProblemAlert } from '../../../components/ProblemAlert'

const AdoptClusterMutation = graphql(`
  mutation AdoptCluster($input: AdoptClusterInput!) {
    adoptCluster(input: $input) {
      id
      name
      status
    }
  }
`)

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/

// parseRoleIds splits a list of Keystone role IDs written with commas, spaces or newlines.
export function parseRoleIds(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))]
}

// AdoptClusterForm registers a running cluster from an admin kubeconfig.
export function AdoptClusterForm() {
  const resetClient = useResetClient()
  const [state, adopt] = useMutation(AdoptClusterMutation)
  const [name, setName] = useState('')
  const [baseDomain, setBaseDomain] = useState('')
  const [kubeconfig, setKubeconfig] = useState('')
  const [roleIds, setRoleIds] = useState('')
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const [done, setDone] = useState('')
  const ids = { name: useId(), domain: useId(), kubeconfig: useId(), file: useId(), roles: useId() }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    setDone('')
    if (!DNS_LABEL.test(name)) {
      setProblem({ message: 'The name is a DNS label: lowercase letters, digits and “-”, at most 40 characters.', code: 'INVALID' })
      return
    }
    if (baseDomain.trim() === '' || kubeconfig.trim() === '') {
      setProblem({ message: 'The services domain and the admin kubeconfig are both needed.', code: 'INVALID' })
      return
    }
    const adminRoleIds = parseRoleIds(roleIds)
    const result = await adopt(
      { input: { name, baseDomain: baseDomain.trim(), kubeconfig, adminRoleIds: adminRoleIds.length ? adminRoleIds : null } },
      { additionalTypenames: ['Cluster'] },
    )
    if (result.error || !result.data) {
      setProblem(result.error ? describeError(result.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    setDone(`Cluster ${result.data.adoptCluster.name} adopted (${result.data.adoptCluster.status.toLowerCase()}).`)
    setName('')
    setBaseDomain('')
    setKubeconfig('')
    setRoleIds('')
    // A new cluster may become the active one and changes the cluster menu: refresh all.
    resetClient()
  }

  return (
    <section className="panel" aria-labelledby="adopt-heading">
      <h2 id="adopt-heading">Adopt a running cluster</h2>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.name}>Name</label>
            <input id={ids.name} className="input" required maxLength={40} autoCapitalize="none" spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={`${ids.name}-hint`} />
            <span id={`${ids.name}-hint`} className="field__hint">
              A DNS label, e.g. <code>prod-1</code>.
            </span>
          </div>
          <div className="field field--grow">
            <label htmlFor={ids.domain}>Services domain</label>
            <input id={ids.domain} className="input" required autoCapitalize="none" spellCheck={false} placeholder="example.com" value={baseDomain} onChange={(e) => setBaseDomain(e.target.value)} aria-describedby={`${ids.domain}-hint`} />
            <span id={`${ids.domain}-hint`} className="field__hint">
              Services are reached at https://&lt;service&gt;.&lt;name&gt;.&lt;domain&gt;.
            </span>
          </div>
        </div>
        <div className="field">
          <label htmlFor={ids.kubeconfig}>Admin kubeconfig</label>
          <textarea id={ids.kubeconfig} className="textarea" required spellCheck={false} value={kubeconfig} onChange={(e) => setKubeconfig(e.target.value)} aria-describedby={`${ids.kubeconfig}-hint`} />
          <span id={`${ids.kubeconfig}-hint`} className="field__hint">
            Paste it or{' '}
            <label htmlFor={ids.file} className="muted">
              load a file:
            </label>{' '}
            <input
              id={ids.file}
              type="file"
              accept=".yaml,.yml,.conf,.kubeconfig,text/plain,application/yaml"
              onChange={async (e) => {
                const file = e.target.files?.[0]
                if (file) setKubeconfig(await file.text())
              }}
            />{' '}
            Its credentials are stored encrypted.
          </span>
        </div>
        <div className="field">
          <label htmlFor={ids.roles}>Admin role IDs (optional)</label>
          <input id={ids.roles} className="input" spellCheck={false} value={roleIds} onChange={(e) => setRoleIds(e.target.value)} aria-describedby={`${ids.roles}-hint`} />
          <span id={`${ids.roles}-hint`} className="field__hint">
            Keystone role IDs whose holders administer the cluster, separated by commas. Empty:
            the role <code>{name || '<name>'}-cluster-admin</code>, created when missing.
          </span>
        </div>
        <div aria-live="polite">
          <ProblemAlert problem={problem} />
          {done && (
            <p className="form-success" role="status">
              {done}
            </p>
          )}
        </div>
        <div>
          <button type="submit" className="btn btn--primary" disabled={state.fetching}>
            {state.fetching ? 'Adopting…' : 'Adopt cluster'}
          </button>
        </div>
      </form>
    </section>
  )
}
