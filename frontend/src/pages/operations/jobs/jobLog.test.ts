import { describe, expect, it } from 'vitest'
import { emptyJobLog, formatElapsed, jobLogReducer, lastSeq, mergeEvents, steps } from './jobLog'
import type { JobEventData, JobLog } from './jobLog'

function ev(seq: number, step = 'validate', status = 'running'): JobEventData {
  return { seq, at: `2026-11-23T22:00:0${seq % 10}Z`, step, percent: seq * 10, level: 'info', message: `event ${seq}`, status }
}

const seqs = (log: JobLog) => log.events.map((e) => e.seq)

describe('mergeEvents', () => {
  it('keeps events in seq order', () => {
    expect(seqs(mergeEvents(emptyJobLog, [ev(1), ev(2), ev(3)]))).toEqual([1, 2, 3])
  })

  it('drops duplicates, e.g. the last result urql re-emits when the stream completes', () => {
    let log = mergeEvents(emptyJobLog, [ev(1), ev(2)])
    log = mergeEvents(log, [ev(2)])
    log = mergeEvents(log, [ev(2), ev(2)])
    expect(seqs(log)).toEqual([1, 2])
  })

  it('returns the same log when nothing is new', () => {
    const log = mergeEvents(emptyJobLog, [ev(1)])
    expect(mergeEvents(log, [ev(1)])).toBe(log)
  })

  it('puts out-of-order arrivals in place', () => {
    let log = mergeEvents(emptyJobLog, [ev(3)])
    log = mergeEvents(log, [ev(1)])
    log = mergeEvents(log, [ev(4), ev(2)])
    expect(seqs(log)).toEqual([1, 2, 3, 4])
    expect(lastSeq(log)).toBe(4)
  })

  it('merges a full replay after a reload or reconnect without duplicates', () => {
    let log = [ev(1), ev(2), ev(3)].reduce((l, e) => jobLogReducer(l, { type: 'events', events: [e] }), emptyJobLog)
    // A replay from 0 overlaps all that was seen, then goes on.
    for (const e of [ev(1), ev(2), ev(3), ev(4), ev(5)]) log = jobLogReducer(log, { type: 'events', events: [e] })
    expect(seqs(log)).toEqual([1, 2, 3, 4, 5])
    expect(log.events[4].message).toBe('event 5')
  })

  it('does not change its input (StrictMode runs reducers twice)', () => {
    const log = mergeEvents(emptyJobLog, [ev(2)])
    const before = seqs(log)
    mergeEvents(log, [ev(1)])
    expect(seqs(log)).toEqual(before)
  })

  it('resets', () => {
    expect(jobLogReducer(mergeEvents(emptyJobLog, [ev(1)]), { type: 'reset' })).toEqual(emptyJobLog)
    expect(lastSeq(emptyJobLog)).toBe(0)
  })
})

describe('steps', () => {
  const log = mergeEvents(emptyJobLog, [ev(1, 'validate'), ev(2, 'validate'), ev(3, 'bootstrap'), ev(4, 'register')])
  const cases = [
    { status: 'running', want: ['done', 'done', 'current'] },
    { status: 'succeeded', want: ['done', 'done', 'done'] },
    { status: 'failed', want: ['done', 'done', 'failed'] },
    { status: 'cancelled', want: ['done', 'done', 'stopped'] },
  ]
  for (const tc of cases) {
    it(`each distinct step in order, the last one ${tc.want[2]} when ${tc.status}`, () => {
      const got = steps(log, tc.status)
      expect(got.map((s) => s.name)).toEqual(['validate', 'bootstrap', 'register'])
      expect(got.map((s) => s.state)).toEqual(tc.want)
    })
  }
})

describe('formatElapsed', () => {
  const cases = [
    { ms: 0, want: '0s' },
    { ms: 42_900, want: '42s' },
    { ms: 185_000, want: '3m 05s' },
    { ms: 3_720_000, want: '1h 02m' },
  ]
  for (const tc of cases) it(tc.want, () => expect(formatElapsed(tc.ms)).toBe(tc.want))
})
