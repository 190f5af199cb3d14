const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

// formatDateTime shows an RFC 3339 time in the reader's locale and time zone.
export function formatDateTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date)
}

const DAY = 24 * 60 * 60 * 1000

// describeExpiry says how long a token has left, in whole days.
export function describeExpiry(iso: string, now: Date): { label: string; expired: boolean } {
  const left = new Date(iso).getTime() - now.getTime()
  if (Number.isNaN(left)) return { label: '', expired: false }
  if (left <= 0) return { label: 'expired', expired: true }
  const days = Math.floor(left / DAY)
  if (days === 0) return { label: 'less than a day left', expired: false }
  return { label: days === 1 ? '1 day left' : `${days} days left`, expired: false }
}
