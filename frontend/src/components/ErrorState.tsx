import type { CombinedError } from 'urql'
import { describeError } from '../graphql/errors'
import type { ProblemDescription } from '../graphql/errors'

// ErrorState shows a failed request's message and code, and a retry button when the
// caller can retry.
export function ErrorState({
  error,
  problem,
  title = 'Something went wrong',
  onRetry,
}: {
  error?: CombinedError
  problem?: ProblemDescription
  title?: string
  onRetry?: () => void
}) {
  const p = problem ?? (error ? describeError(error) : { message: 'Unknown error.', code: 'UNKNOWN' })
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">{title}</p>
      <p className="state__body">
        {p.message} <span className="code-tag">{p.code}</span>
      </p>
      {onRetry && (
        <div className="state__action">
          <button type="button" className="btn btn--secondary" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </div>
  )
}
