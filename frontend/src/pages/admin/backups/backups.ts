// Pure logic of the backups page: Velero's phases, the namespaces field and the order.

export type Tone = 'success' | 'info' | 'warning' | 'danger' | 'neutral'

// phaseTone is the badge tone of a Velero Backup, Restore or Schedule phase.
export function phaseTone(phase: string): Tone {
  if (phase === 'Completed' || phase === 'Enabled') return 'success'
  if (phase.endsWith('PartiallyFailed')) return 'warning'
  if (phase === 'Failed' || phase === 'FailedValidation') return 'danger'
  if (isInProgress(phase)) return 'info'
  return 'neutral'
}

// isInProgress tells whether Velero is still working on the object (so the page checks
// again soon).
export function isInProgress(phase: string): boolean {
  return phase === 'New' || phase === 'InProgress' || phase.startsWith('WaitingForPluginOperations') || phase.startsWith('Finalizing')
}

// canRestore tells whether a backup holds something to restore from.
export function canRestore(phase: string): boolean {
  return phase === 'Completed' || phase === 'PartiallyFailed'
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

// parseNamespaces reads the "namespaces" field of "Back up now": names separated by
// commas or blanks, or nothing for every namespace (null).
export function parseNamespaces(text: string): { ok: true; namespaces: string[] | null } | { ok: false; message: string } {
  const names = [...new Set(text.split(/[\s,]+/).filter((s) => s !== ''))]
  if (names.length === 0) return { ok: true, namespaces: null }
  const bad = names.find((n) => n.length > 63 || !DNS_LABEL.test(n))
  if (bad !== undefined) return { ok: false, message: `“${bad}” is not a namespace name: lowercase letters, digits and “-”, at most 63 characters.` }
  return { ok: true, namespaces: names }
}

// newestFirst orders Velero objects by when they started (or were made), newest first;
// those without a time go last.
export function newestFirst<T extends { name: string; startedAt?: string | null; createdAt?: string | null }>(items: readonly T[]): T[] {
  const at = (t: T) => {
    const ms = Date.parse(t.startedAt ?? t.createdAt ?? '')
    return Number.isNaN(ms) ? -Infinity : ms
  }
  return [...items].sort((a, b) => at(b) - at(a) || a.name.localeCompare(b.name))
}
