import { useCallback, useId, useMemo, useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { PageHeader } from '../../../components/PageHeader'
import { AdminOnlyState, RequireClusterAdmin } from '../../../components/Restricted'
import { useViewer } from '../../../components/RequireViewer'
import { graphql } from '../../../gql'
import { describeError, isForbidden } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { usePolling } from '../../../graphql/usePolling'
import { BackupTable, RestoreTable, ScheduleTable } from './BackupTables'
import type { Backup } from './BackupTables'
import { isInProgress, newestFirst, parseNamespaces } from './backups'
import { ProblemAlert } from '../../../components/ProblemAlert'

const BackupsPageQueryDoc = graphql(`
  query BackupsPage {
    viewer {
      id
      activeCluster {
        id
        name
      }
    }
    backups {
      veleroInstalled
      backups {
        name
        phase
        includedNamespaces
        createdAt
        startedAt
        completedAt
        expiresAt
        errors
        warnings
      }
      schedules {
        name
        schedule
        phase
        lastBackupAt
      }
      restores {
        name
        backupName
        phase
        createdAt
        startedAt
        completedAt
      }
    }
  }
`)

const CreateBackupMutation = graphql(`
  mutation CreateBackup($input: CreateBackupInput!) {
    createBackup(input: $input) {
      name
      phase
    }
  }
`)

const CreateRestoreMutation = graphql(`
  mutation CreateRestore($input: CreateRestoreInput!) {
    createRestore(input: $input) {
      name
      backupName
      phase
    }
  }
`)

const TITLE = 'Backups'
// While Velero works on something, the page checks again this often.
const BUSY_POLL_MS = 10_000
const refresh = { additionalTypenames: ['Backup', 'Restore', 'BackupOverview'] }

function BackupNowForm({ clusterId, onStarted }: { clusterId: string; onStarted: (message: string) => void }) {
  const [state, createBackup] = useMutation(CreateBackupMutation)
  const [namespaces, setNamespaces] = useState('')
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const id = useId()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    const parsed = parseNamespaces(namespaces)
    if (!parsed.ok) {
      setProblem({ message: parsed.message, code: 'INVALID' })
      return
    }
    const result = await createBackup({ input: { clusterId, includedNamespaces: parsed.namespaces } }, refresh)
    if (result.error || !result.data) {
      setProblem(result.error ? describeError(result.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    onStarted(`Backup ${result.data.createBackup.name} started (${result.data.createBackup.phase || 'new'}).`)
    setNamespaces('')
  }

  return (
    <section className="panel" aria-labelledby="backup-now-heading">
      <h2 id="backup-now-heading">Back up now</h2>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={id}>Namespaces (optional)</label>
            <input
              id={id}
              className="input"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="e.g. team-a, team-b"
              aria-invalid={problem?.code === 'INVALID' ? true : undefined}
              aria-describedby={`${id}-hint`}
              value={namespaces}
              onChange={(e) => setNamespaces(e.target.value)}
            />
            <span id={`${id}-hint`} className="field__hint">
              Separated by commas; empty backs up every namespace. Kept for 30 days.
            </span>
          </div>
          <button type="submit" className="btn btn--primary" disabled={state.fetching}>
            {state.fetching ? 'Starting…' : 'Back up now'}
          </button>
        </div>
        <div aria-live="polite">
          <ProblemAlert problem={problem} />
        </div>
      </form>
    </section>
  )
}

function BackupsContent() {
  const viewer = useViewer()
  const context = useMemo(() => refresh, [])
  const [result, refetch] = useQuery({ query: BackupsPageQueryDoc, context })
  const [, createRestore] = useMutation(CreateRestoreMutation)
  const [restoring, setRestoring] = useState(false)
  const [target, setTarget] = useState<Backup | null>(null)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const [announcement, setAnnouncement] = useState('')
  const cluster = result.data?.viewer?.activeCluster ?? null
  const overview = result.data?.backups

  const busy = !!overview && [...overview.backups, ...overview.restores].some((o) => isInProgress(o.phase))
  const poll = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch])
  usePolling(poll, BUSY_POLL_MS, busy)

  async function confirmRestore() {
    if (!target || !cluster) return
    setProblem(null)
    setRestoring(true)
    const r = await createRestore({ input: { clusterId: cluster.id, backupName: target.name } }, refresh)
    setRestoring(false)
    if (r.error || !r.data) {
      setProblem(r.error ? describeError(r.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    setAnnouncement(`Restore ${r.data.createRestore.name} from backup ${target.name} started.`)
    setTarget(null)
  }

  let body
  if (result.error && !result.data) {
    body = isForbidden(result.error) ? (
      <AdminOnlyState clusterName={viewer.activeCluster?.name ?? null} />
    ) : (
      <ErrorState error={result.error} title="The backups could not be loaded" onRetry={poll} />
    )
  } else if (!result.data || !overview) {
    body = <Loading label="Loading the backups…" />
  } else if (!cluster) {
    body = <EmptyState title="No active cluster">Choose a cluster in the menu at the top left.</EmptyState>
  } else if (!overview.veleroInstalled) {
    body = (
      <EmptyState title={`Velero is not installed on cluster ${cluster.name}`}>
        The panel manages backups through Velero’s Backup, Schedule and Restore objects. Install Velero on the cluster (provisioned clusters have it, with a daily schedule), then come back.
      </EmptyState>
    )
  } else {
    const backups = newestFirst(overview.backups)
    const restores = newestFirst(overview.restores)
    body = (
      <>
        <BackupNowForm clusterId={cluster.id} onStarted={setAnnouncement} />
        <p className={announcement ? 'form-success' : 'visually-hidden'} role="status" aria-live="polite">
          {announcement}
        </p>
        <section aria-labelledby="backups-heading" className="stack">
          <div className="section-header">
            <h2 id="backups-heading">Backups</h2>
            <button type="button" className="btn btn--secondary btn--small" disabled={result.fetching} onClick={poll}>
              {result.fetching ? 'Refreshing…' : 'Refresh'}
            </button>
          </div>
          {backups.length === 0 ? (
            <EmptyState title="No backups yet">Start one with “Back up now”, or wait for a schedule.</EmptyState>
          ) : (
            <BackupTable
              backups={backups}
              onRestore={(b) => {
                setProblem(null)
                setTarget(b)
              }}
            />
          )}
        </section>
        <section aria-labelledby="schedules-heading" className="stack">
          <h2 id="schedules-heading">Schedules</h2>
          {overview.schedules.length === 0 ? (
            <EmptyState title="No schedules">Without a schedule, backups happen only when started here. Create a Velero Schedule on the cluster for regular backups.</EmptyState>
          ) : (
            <ScheduleTable schedules={overview.schedules} />
          )}
        </section>
        <section aria-labelledby="restores-heading" className="stack">
          <h2 id="restores-heading">Restores</h2>
          {restores.length === 0 ? <EmptyState title="No restores yet">Restore from a completed backup with its Restore button.</EmptyState> : <RestoreTable restores={restores} />}
        </section>
        <ConfirmDialog
          open={target !== null}
          title={target ? `Restore from backup “${target.name}”?` : 'Restore?'}
          confirmLabel="Start restore"
          busy={restoring}
          problem={problem}
          onConfirm={() => void confirmRestore()}
          onCancel={() => setTarget(null)}
        >
          <p>
            Velero recreates on cluster <strong>{cluster.name}</strong> the objects of this backup
            {target && target.includedNamespaces.length > 0 && target.includedNamespaces[0] !== '*' ? ` (namespaces ${target.includedNamespaces.join(', ')})` : ' (every namespace it holds)'} that are missing now. Objects that exist are left as they are. A started restore cannot be stopped from the panel.
          </p>
        </ConfirmDialog>
      </>
    )
  }

  return (
    <div className="page">
      <PageHeader title={TITLE} description="Velero backups, schedules and restores of the active cluster." />
      {body}
    </div>
  )
}

// BackupsPage (/admin/backups) shows the active cluster's Velero backups, schedules and
// restores, starts a backup and restores from one (admins of the cluster only).
export function BackupsPage() {
  return (
    <RequireClusterAdmin title={TITLE}>
      <BackupsContent />
    </RequireClusterAdmin>
  )
}
