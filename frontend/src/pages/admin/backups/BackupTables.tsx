import { Time } from '../../../components/Time'
import type { BackupsPageQuery } from '../../../gql/graphql'
import { canRestore, phaseTone } from './backups'

type Overview = BackupsPageQuery['backups']
export type Backup = Overview['backups'][number]

// PhaseBadge shows a Velero phase in words with a tone.
export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge badge--${phaseTone(phase)}`}>{phase || 'unknown'}</span>
}

function Namespaces({ names }: { names: readonly string[] }) {
  if (names.length === 0 || (names.length === 1 && names[0] === '*')) return <span className="muted">all</span>
  return (
    <ul className="inline-list">
      {names.map((n) => (
        <li key={n}>
          <code>{n}</code>
        </li>
      ))}
    </ul>
  )
}

// BackupTable lists backups, each with a Restore button when it can be restored from.
export function BackupTable({ backups, onRestore }: { backups: readonly Backup[]; onRestore: (backup: Backup) => void }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="backup-table">
        <caption className="visually-hidden">Velero backups, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Phase</th>
            <th scope="col">Namespaces</th>
            <th scope="col">Started</th>
            <th scope="col">Completed</th>
            <th scope="col">Expires</th>
            <th scope="col" className="num">
              Errors / warnings
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {backups.map((b) => (
            <tr key={b.name}>
              <th scope="row">{b.name}</th>
              <td>
                <PhaseBadge phase={b.phase} />
              </td>
              <td>
                <Namespaces names={b.includedNamespaces} />
              </td>
              <td>
                <Time value={b.startedAt} />
              </td>
              <td>
                <Time value={b.completedAt} />
              </td>
              <td>
                <Time value={b.expiresAt} />
              </td>
              <td className="num">
                <span className={b.errors > 0 ? 'badge badge--danger' : undefined}>{b.errors}</span> /{' '}
                <span className={b.warnings > 0 ? 'badge badge--warning' : undefined}>{b.warnings}</span>
              </td>
              <td className="actions">
                {canRestore(b.phase) && (
                  <button type="button" className="btn btn--secondary btn--small" aria-label={`Restore from backup ${b.name}`} onClick={() => onRestore(b)}>
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

// ScheduleTable lists Velero schedules.
export function ScheduleTable({ schedules }: { schedules: Overview['schedules'] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="schedule-table">
        <caption className="visually-hidden">Velero backup schedules</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Schedule (cron)</th>
            <th scope="col">Phase</th>
            <th scope="col">Last backup</th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((s) => (
            <tr key={s.name}>
              <th scope="row">{s.name}</th>
              <td>
                <code>{s.schedule}</code>
              </td>
              <td>
                <PhaseBadge phase={s.phase} />
              </td>
              <td>
                <Time value={s.lastBackupAt} fallback="none yet" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

// RestoreTable lists Velero restores.
export function RestoreTable({ restores }: { restores: Overview['restores'] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="restore-table">
        <caption className="visually-hidden">Velero restores, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">From backup</th>
            <th scope="col">Phase</th>
            <th scope="col">Started</th>
            <th scope="col">Completed</th>
          </tr>
        </thead>
        <tbody>
          {restores.map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              <td>{r.backupName}</td>
              <td>
                <PhaseBadge phase={r.phase} />
              </td>
              <td>
                <Time value={r.startedAt ?? r.createdAt} />
              </td>
              <td>
                <Time value={r.completedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
