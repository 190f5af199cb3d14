import { formatDateParts } from '../lib/format'

// Time shows a server time in the reader's locale, with the exact value on hover. It may
// break between the date and the time of day, never inside either.
export function Time({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  if (!value) return <span className="muted">{fallback}</span>
  const [date, clock] = formatDateParts(value)
  return (
    <time dateTime={value} title={value}>
      <span className="nowrap">{date}</span>
      {clock && (
        <>
          {' '}
          <span className="nowrap">{clock}</span>
        </>
      )}
    </time>
  )
}
