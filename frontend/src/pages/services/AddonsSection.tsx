import { useState } from 'react'
import { Link } from 'react-router'
import { useMutation } from 'urql'
import type { UseQueryState } from 'urql'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { StatusIndicator, addonStatusView } from '../../components/StatusIndicator'
import { graphql } from '../../gql'
import type { ServicesAddonsQuery } from '../../gql/graphql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'

// The add-ons' health is for operators and the cluster's admins: a query of its own,
// never sent for anybody else.
export const ServicesAddonsQueryDoc = graphql(`
  query ServicesAddons($clusterId: ID!) {
    addons(clusterId: $clusterId) {
      name
      description
      namespace
      installedVersion
      latestVersion
      status
      readyReplicas
      desiredReplicas
      message
      workloads {
        kind
        namespace
        name
        readyReplicas
        desiredReplicas
        status
        message
      }
    }
  }
`)

const InstallAddonMutation = graphql(`
  mutation InstallAddon($input: AddonJobInput!) {
    installAddon(input: $input) {
      id
      kind
      status
    }
  }
`)

const UpgradeAddonMutation = graphql(`
  mutation UpgradeAddon($input: AddonJobInput!) {
    upgradeAddon(input: $input) {
      id
      kind
      status
    }
  }
`)

const RemoveAddonMutation = graphql(`
  mutation RemoveAddon($clusterId: ID!, $name: String!) {
    removeAddon(clusterId: $clusterId, name: $name) {
      id
      kind
      status
    }
  }
`)

export type Addon = ServicesAddonsQuery['addons'][number]

// SERVICE_ADDONS names the add-on that runs each managed service of the Services page.
export const SERVICE_ADDONS: Record<string, string> = {
  Kibana: 'logging',
  Grafana: 'monitoring',
  Prometheus: 'monitoring',
  Harbor: 'registry',
}

// replicasText says how many replicas of an add-on are ready.
export function replicasText(a: Pick<Addon, 'readyReplicas' | 'desiredReplicas' | 'installedVersion'>): string {
  if (!a.installedVersion) return 'not installed'
  return `${a.readyReplicas} of ${a.desiredReplicas} replicas ready`
}

// AddonHealth is an add-on's badge and its ready replicas: what a service card shows next
// to its reachability.
export function AddonHealth({ addon }: { addon: Addon }) {
  return (
    <span className="row" data-testid={`addon-health-${addon.name}`}>
      <StatusIndicator view={addonStatusView(addon.status)} />
      <span className="muted">
        {addon.name}
        {addon.installedVersion ? ` ${addon.installedVersion}` : ''}: {replicasText(addon)}
      </span>
    </span>
  )
}

type JobStarted = { addon: string; action: string; jobId: string }

function AddonActions({
  addon,
  clusterId,
  onStarted,
}: {
  addon: Addon
  clusterId: string
  onStarted: (j: JobStarted) => void
}) {
  const [install, runInstall] = useMutation(InstallAddonMutation)
  const [upgrade, runUpgrade] = useMutation(UpgradeAddonMutation)
  const [remove, runRemove] = useMutation(RemoveAddonMutation)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const [confirming, setConfirming] = useState(false)
  const busy = install.fetching || upgrade.fetching || remove.fetching

  async function start(action: string, run: () => Promise<{ error?: Parameters<typeof describeError>[0]; jobId?: string }>) {
    setProblem(null)
    const { error, jobId } = await run()
    if (error || !jobId) {
      setProblem(error ? describeError(error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return false
    }
    onStarted({ addon: addon.name, action, jobId })
    return true
  }
  const input = { clusterId, name: addon.name }
  const ctx = { additionalTypenames: ['Job'] }

  return (
    <div className="row">
      {!addon.installedVersion && (
        <button
          type="button"
          className="btn btn--secondary btn--small"
          disabled={busy}
          onClick={() => start('install', async () => {
            const r = await runInstall({ input }, ctx)
            return { error: r.error, jobId: r.data?.installAddon.id }
          })}
        >
          Install {addon.latestVersion}
        </button>
      )}
      {addon.installedVersion && addon.installedVersion !== addon.latestVersion && (
        <button
          type="button"
          className="btn btn--secondary btn--small"
          disabled={busy}
          onClick={() => start('upgrade', async () => {
            const r = await runUpgrade({ input: { ...input, version: addon.latestVersion } }, ctx)
            return { error: r.error, jobId: r.data?.upgradeAddon.id }
          })}
        >
          Upgrade to {addon.latestVersion}
        </button>
      )}
      {addon.installedVersion && (
        <button type="button" className="btn btn--danger btn--small" disabled={busy} onClick={() => setConfirming(true)}>
          Remove
        </button>
      )}
      {problem && !confirming && (
        <span role="alert" className="field__hint field__hint--warning">
          {problem.message} ({problem.code})
        </span>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Remove ${addon.name}?`}
        confirmLabel={`Remove ${addon.name}`}
        busy={remove.fetching}
        problem={problem}
        onCancel={() => {
          setConfirming(false)
          setProblem(null)
        }}
        onConfirm={async () => {
          const ok = await start('remove', async () => {
            const r = await runRemove({ clusterId, name: addon.name }, ctx)
            return { error: r.error, jobId: r.data?.removeAddon.id }
          })
          if (ok) setConfirming(false)
        }}
      >
        Everything {addon.name} put on the cluster is deleted (its namespace {addon.namespace} too when it owns it), with the data of its volumes.
      </ConfirmDialog>
    </div>
  )
}

// AddonsSection lists the catalog's add-ons on the cluster with their health as the
// cluster's own workloads report it; operators also install, upgrade and remove them
// (each a job, linked once started).
export function AddonsSection({
  clusterId,
  clusterName,
  isOperator,
  result,
  onRetry,
}: {
  clusterId: string
  clusterName: string
  isOperator: boolean
  result: UseQueryState<ServicesAddonsQuery>
  onRetry: () => void
}) {
  const [started, setStarted] = useState<JobStarted | null>(null)
  const addons = result.data?.addons
  let body
  if (result.error && !addons) {
    body = <ErrorState error={result.error} title="The add-ons could not be loaded" onRetry={onRetry} />
  } else if (!addons) {
    body = <Loading label="Loading the add-ons…" />
  } else {
    body = (
      <div className="table-wrap">
        <table className="table" data-testid="addon-table">
          <caption className="visually-hidden">Add-ons of {clusterName} and their health</caption>
          <thead>
            <tr>
              <th scope="col">Add-on</th>
              <th scope="col">Version</th>
              <th scope="col">Health</th>
              <th scope="col">Workloads</th>
              {isOperator && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {addons.map((a) => (
              <tr key={a.name} data-testid="addon-row" data-addon={a.name}>
                <th scope="row">
                  {a.name}
                  <span className="field__hint">{a.description}</span>
                </th>
                <td>
                  {a.installedVersion ? <code>{a.installedVersion}</code> : <span className="muted">—</span>}
                  {a.installedVersion && a.installedVersion !== a.latestVersion && <span className="badge badge--info">{a.latestVersion} available</span>}
                </td>
                <td>
                  <StatusIndicator view={addonStatusView(a.status)} />
                  <span className="field__hint">{a.installedVersion ? `${replicasText(a)}: ${a.message}` : 'not installed'}</span>
                </td>
                <td>
                  {a.workloads.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <ul className="inline-list inline-list--stacked" aria-label={`Workloads of ${a.name}`}>
                      {a.workloads.map((w) => (
                        <li key={`${w.kind}/${w.namespace}/${w.name}`} title={w.message}>
                          {w.kind} <code>{`${w.namespace}/${w.name}`}</code> {w.readyReplicas}/{w.desiredReplicas}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                {isOperator && (
                  <td>
                    <AddonActions addon={a} clusterId={clusterId} onStarted={setStarted} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    )
  }
  return (
    <section className="stack" aria-labelledby="addons-heading">
      <h2 id="addons-heading">Add-ons</h2>
      <p className="muted">
        The platform's services on {clusterName}, applied from the panel's catalog. Their health is what the cluster's own Deployments, DaemonSets and
        StatefulSets report: ready replicas against desired ones.
      </p>
      {started && (
        <p role="status">
          The {started.action} of {started.addon} runs as a job: <Link to={`/operations/jobs/${encodeURIComponent(started.jobId)}`}>follow its progress</Link>.
        </p>
      )}
      {body}
    </section>
  )
}
