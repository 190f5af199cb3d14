import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { useMutation, useQuery } from 'urql'
import { graphql } from '../../../gql'
import type { ClusterDriver, ClusterSizeInput } from '../../../gql/graphql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { DNS_LABEL } from './AdoptClusterForm'
import { ProblemAlert } from '../../../components/ProblemAlert'

const ProvisionClusterMutation = graphql(`
  mutation ProvisionCluster($input: ProvisionClusterInput!) {
    provisionCluster(input: $input) {
      id
      kind
      status
    }
  }
`)

const ClusterDriversQuery = graphql(`
  query ClusterDrivers {
    clusterDrivers
  }
`)

// DRIVER_LABELS say what the form calls each way a cluster comes about.
export const DRIVER_LABELS: Record<ClusterDriver, string> = {
  EXISTING: 'Existing cluster (bootstrap only)',
  LOCAL: "Local (etcd + kube-apiserver on the panel's host)",
  OPENSTACK: 'OpenStack (Nova servers, Octavia load balancer, kubeadm)',
}

// SIZE_FIELDS are the cluster size inputs with their defaults and bounds, as the server
// checks them.
export const SIZE_FIELDS: { key: keyof ClusterSizeInput & string; label: string; def: number; min: number; max: number }[] = [
  { key: 'workers', label: 'Workers', def: 3, min: 1, max: 100 },
  { key: 'workerVcpu', label: 'vCPUs per worker', def: 4, min: 1, max: 256 },
  { key: 'workerRamGb', label: 'RAM per worker (GB)', def: 8, min: 1, max: 4096 },
  { key: 'workerDiskGb', label: 'Disk per worker (GB)', def: 40, min: 10, max: 16384 },
]

// sizeProblem returns what is wrong with the size fields, null when nothing is.
export function sizeProblem(size: Record<string, string>): string | null {
  for (const f of SIZE_FIELDS) {
    const v = Number(size[f.key])
    if (!Number.isInteger(v) || v < f.min || v > f.max) {
      return `${f.label}: a whole number from ${f.min} to ${f.max}.`
    }
  }
  return null
}

// ProvisionClusterForm starts a provisioning job and opens its progress page.
export function ProvisionClusterForm() {
  const navigate = useNavigate()
  const [state, provision] = useMutation(ProvisionClusterMutation)
  const [drivers] = useQuery({ query: ClusterDriversQuery })
  const available = drivers.data?.clusterDrivers ?? ['EXISTING']
  const [size, setSize] = useState<Record<string, string>>(() => Object.fromEntries(SIZE_FIELDS.map((f) => [f.key, String(f.def)])))
  const [name, setName] = useState('')
  const [baseDomain, setBaseDomain] = useState('')
  const [driver, setDriver] = useState<ClusterDriver>('EXISTING')
  const [adminUser, setAdminUser] = useState('')
  const [kubeconfig, setKubeconfig] = useState('')
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const ids = { name: useId(), domain: useId(), driver: useId(), user: useId(), kubeconfig: useId(), size: useId() }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    if (!DNS_LABEL.test(name)) {
      setProblem({ message: 'The name is a DNS label: lowercase letters, digits and “-”, at most 40 characters.', code: 'INVALID' })
      return
    }
    if (baseDomain.trim() === '' || adminUser.trim() === '') {
      setProblem({ message: 'The services domain and the admin user are both needed.', code: 'INVALID' })
      return
    }
    if (driver === 'EXISTING' && kubeconfig.trim() === '') {
      setProblem({ message: 'An existing cluster needs its admin kubeconfig.', code: 'INVALID' })
      return
    }
    const badSize = sizeProblem(size)
    if (badSize) {
      setProblem({ message: badSize, code: 'INVALID' })
      return
    }
    const sizeInput: ClusterSizeInput = Object.fromEntries(SIZE_FIELDS.map((f) => [f.key, Number(size[f.key])]))
    const result = await provision(
      {
        input: {
          name,
          baseDomain: baseDomain.trim(),
          driver,
          adminUser: adminUser.trim(),
          kubeconfig: driver === 'EXISTING' && kubeconfig.trim() !== '' ? kubeconfig : null,
          size: sizeInput,
        },
      },
      { additionalTypenames: ['Job'] },
    )
    if (result.error || !result.data) {
      setProblem(result.error ? describeError(result.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    navigate(`/operations/jobs/${encodeURIComponent(result.data.provisionCluster.id)}`)
  }

  return (
    <section className="panel" aria-labelledby="provision-heading">
      <h2 id="provision-heading">Provision a cluster</h2>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)} aria-labelledby="provision-heading">
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.name}>Cluster name</label>
            <input id={ids.name} className="input" required maxLength={40} autoCapitalize="none" spellCheck={false} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={`${ids.name}-hint`} />
            <span id={`${ids.name}-hint`} className="field__hint">
              A DNS label, e.g. <code>prod-2</code>.
            </span>
          </div>
          <div className="field field--grow">
            <label htmlFor={ids.domain}>Base domain</label>
            <input id={ids.domain} className="input" required autoCapitalize="none" spellCheck={false} placeholder="example.com" value={baseDomain} onChange={(e) => setBaseDomain(e.target.value)} />
          </div>
        </div>
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.driver}>Driver</label>
            <select id={ids.driver} className="select" value={driver} onChange={(e) => setDriver(e.target.value as ClusterDriver)}>
              {available.map((d) => (
                <option key={d} value={d}>
                  {DRIVER_LABELS[d]}
                </option>
              ))}
            </select>
          </div>
          <div className="field field--grow">
            <label htmlFor={ids.user}>Admin user</label>
            <input id={ids.user} className="input" required autoCapitalize="none" spellCheck={false} value={adminUser} onChange={(e) => setAdminUser(e.target.value)} aria-describedby={`${ids.user}-hint`} />
            <span id={`${ids.user}-hint`} className="field__hint">
              A Keystone user name in domain Default: it gets the cluster’s admin role.
            </span>
          </div>
        </div>
        <fieldset className="form-row fieldset">
          <legend>Size</legend>
          {SIZE_FIELDS.map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`${ids.size}-${f.key}`}>{f.label}</label>
              <input
                id={`${ids.size}-${f.key}`}
                className="input input--number"
                type="number"
                inputMode="numeric"
                min={f.min}
                max={f.max}
                step={1}
                value={size[f.key]}
                onChange={(e) => setSize((s) => ({ ...s, [f.key]: e.target.value }))}
              />
            </div>
          ))}
          <p className="field__hint">The smallest flavor with at least these resources is used for the workers.</p>
        </fieldset>
        {driver === 'EXISTING' && (
        <div className="field">
          <label htmlFor={ids.kubeconfig}>Admin kubeconfig of the running cluster</label>
          <textarea
            id={ids.kubeconfig}
            className="textarea"
            required={driver === 'EXISTING'}
            spellCheck={false}
            value={kubeconfig}
            onChange={(e) => setKubeconfig(e.target.value)}
            aria-describedby={`${ids.kubeconfig}-hint`}
          />
          <span id={`${ids.kubeconfig}-hint`} className="field__hint">
            Needed for an existing cluster. Its credentials are stored encrypted.
          </span>
        </div>
        )}
        <div aria-live="polite">
          <ProblemAlert problem={problem} />
        </div>
        <div>
          <button type="submit" className="btn btn--primary" disabled={state.fetching}>
            {state.fetching ? 'Starting…' : 'Provision cluster'}
          </button>
        </div>
      </form>
    </section>
  )
}
