import type { ProblemDescription } from '../graphql/errors'

// ProblemAlert shows why the server refused a request: its message and its code. Nothing
// is shown without a problem.
export function ProblemAlert({ problem }: { problem: ProblemDescription | null | undefined }) {
  if (!problem) return null
  return (
    <p className="form-error" role="alert">
      {problem.message} <span className="code-tag">{problem.code}</span>
    </p>
  )
}
