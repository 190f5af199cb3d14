const tone: Record<string, string> = {
  queued: 'badge--neutral',
  running: 'badge--info',
  succeeded: 'badge--success',
  failed: 'badge--danger',
  cancelled: 'badge--warning',
}

// JobStatusBadge shows a provisioning job's status in words.
export function JobStatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge ${tone[status] ?? 'badge--neutral'}`} data-testid="job-status">
      {status}
    </span>
  )
}

const levelTone: Record<string, string> = {
  info: 'badge--info',
  warn: 'badge--warning',
  warning: 'badge--warning',
  error: 'badge--danger',
}

// LevelBadge shows a job event's level.
export function LevelBadge({ level }: { level: string }) {
  return <span className={`badge ${levelTone[level] ?? 'badge--neutral'}`}>{level}</span>
}

// jobKindLabel says what a job kind does.
export function jobKindLabel(kind: string): string {
  switch (kind) {
    case 'cluster.create':
      return 'Provision cluster'
    case 'cluster.delete':
      return 'Delete cluster'
    case 'cluster.resize':
      return 'Resize cluster'
    case 'cluster.addon':
      return 'Cluster add-on'
    default:
      return kind
  }
}
