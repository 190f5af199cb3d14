const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

// formatDateTime shows an RFC 3339 time in the reader's locale and time zone.
export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date)
}

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })
const clockOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' })

// formatDateParts is formatDateTime in two parts, the date and the time of day, so that a
// narrow table cell can break between them and nowhere else. An unreadable time is all date.
export function formatDateParts(iso: string): [string, string] {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? [iso, ''] : [dateOnly.format(date), clockOnly.format(date)]
}

const DAY = 24 * 60 * 60 * 1000

// EXPIRES_SOON_DAYS is how close to its end a token is flagged.
export const EXPIRES_SOON_DAYS = 30

// describeExpiry says how long a token has left, in whole days, and whether it expires
// within EXPIRES_SOON_DAYS (soon) or has expired.
export function describeExpiry(iso: string, now: Date): { label: string; expired: boolean; soon: boolean } {
  const left = new Date(iso).getTime() - now.getTime()
  if (Number.isNaN(left)) return { label: '', expired: false, soon: false }
  if (left <= 0) return { label: 'expired', expired: true, soon: false }
  const soon = left < EXPIRES_SOON_DAYS * DAY
  const days = Math.floor(left / DAY)
  if (days === 0) return { label: 'less than a day left', expired: false, soon }
  return { label: days === 1 ? '1 day left' : `${days} days left`, expired: false, soon }
}
