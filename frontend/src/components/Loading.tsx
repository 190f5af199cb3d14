// Loading tells that data is on its way. The spinner fades in after a moment (CSS), so
// fast answers do not flash it.
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state--loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}
