// The pure logic of the job page: merging progress events that arrive over the
// subscription (replayed, live, re-emitted, possibly out of order) into one ordered log,
// and what the steps, percent and status are by that log.

// JobEventData is one progress event as the subscription delivers it.
export interface JobEventData {
  seq: number
  at: string
  step: string
  percent: number
  level: string
  message: string
  status: string
}

// JobLog is every event seen, sorted by seq without duplicates.
export interface JobLog {
  events: JobEventData[]
}

export const emptyJobLog: JobLog = { events: [] }

// mergeEvents adds events to the log by seq: an event already in the log is dropped (a
// replay after reconnecting, or urql re-emitting the last result when the stream ends),
// the rest go to their place. It returns the log itself when nothing is new.
export function mergeEvents(log: JobLog, incoming: readonly JobEventData[]): JobLog {
  const seen = new Set(log.events.map((e) => e.seq))
  const fresh: JobEventData[] = []
  for (const e of incoming) {
    if (seen.has(e.seq)) continue
    seen.add(e.seq)
    fresh.push(e)
  }
  if (fresh.length === 0) return log
  return { events: [...log.events, ...fresh].sort((a, b) => a.seq - b.seq) }
}

// JobLogAction is what the job page feeds its reducer.
export type JobLogAction = { type: 'events'; events: readonly JobEventData[] } | { type: 'reset' }

// jobLogReducer is mergeEvents as a React reducer (pure: StrictMode runs it twice).
export function jobLogReducer(log: JobLog, action: JobLogAction): JobLog {
  switch (action.type) {
    case 'events':
      return mergeEvents(log, action.events)
    case 'reset':
      return emptyJobLog
  }
}

// lastSeq is the seq to resubscribe after (0: replay everything).
export function lastSeq(log: JobLog): number {
  return log.events.length ? log.events[log.events.length - 1].seq : 0
}

export const FINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const

export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status)
}

export type StepState = 'done' | 'current' | 'failed' | 'stopped'

export interface StepView {
  name: string
  state: StepState
}

// steps lists each distinct step of the log in the order it first appeared. Every step
// before the last is done; the last one is done when the job succeeded, failed or
// stopped when it failed or was cancelled, current otherwise.
export function steps(log: JobLog, status: string): StepView[] {
  const names: string[] = []
  for (const e of log.events) {
    if (e.step !== '' && !names.includes(e.step)) names.push(e.step)
  }
  return names.map((name, i) => {
    if (i < names.length - 1 || status === 'succeeded') return { name, state: 'done' }
    if (status === 'failed') return { name, state: 'failed' }
    if (status === 'cancelled') return { name, state: 'stopped' }
    return { name, state: 'current' }
  })
}

// formatElapsed writes a duration in seconds as "42s", "3m 05s" or "1h 02m".
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}
