import { formatDateTime } from '../lib/format'

// Time shows a server time in the reader's locale, with the exact value on hover.
export function Time({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  if (!value) return <span className="muted">{fallback}</span>
  return (
    <time dateTime={value} title={value}>
      {formatDateTime(value)}
    </time>
  )
}
