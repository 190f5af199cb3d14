import type { CombinedError } from 'urql'

// ErrorCode is a code the server puts in a GraphQL error's extensions.code, or NETWORK
// when the server could not be reached or answered with something other than GraphQL.
export type ErrorCode =
  | 'INVALID'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'NETWORK'

// ProblemDescription is what the UI shows for a failed request.
export interface ProblemDescription {
  message: string
  code: string
}

// errorCode is the code of the first GraphQL error, NETWORK for a transport failure, or
// undefined when the error carries no code.
export function errorCode(error: CombinedError): string | undefined {
  for (const e of error.graphQLErrors) {
    const code = e.extensions?.code
    if (typeof code === 'string' && code !== '') return code
  }
  if (error.networkError) return 'NETWORK'
  return undefined
}

// describeError turns a failed request into the message and code the user sees. The
// server's messages are written for people, so they are shown as they are.
export function describeError(error: CombinedError): ProblemDescription {
  const code = errorCode(error) ?? 'UNKNOWN'
  const first = error.graphQLErrors.find((e) => e.message)
  if (first) return { message: first.message, code }
  if (error.networkError) {
    return {
      message: `The control panel server could not be reached (${error.networkError.message}). Check your connection and try again.`,
      code: 'NETWORK',
    }
  }
  return { message: error.message || 'The request failed.', code }
}

// WRONG_CREDENTIALS is the one message for any rejected login: Keystone does not say
// which of username, password or domain was wrong, and the panel must not guess.
export const WRONG_CREDENTIALS = 'Wrong username, password or domain.'

// retryAfterSeconds is the wait a RATE_LIMITED error asks for (extensions.retryAfterSeconds),
// or undefined when the error names none.
export function retryAfterSeconds(error: CombinedError): number | undefined {
  for (const e of error.graphQLErrors) {
    const wait = e.extensions?.retryAfterSeconds
    if (typeof wait === 'number' && Number.isFinite(wait) && wait >= 0) return Math.ceil(wait)
  }
  return undefined
}

// formatWait says a wait in seconds the way people say it ("45 seconds", "3 minutes").
export function formatWait(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

// describeLoginError is describeError with the messages a sign-in form needs.
export function describeLoginError(error: CombinedError): ProblemDescription {
  const problem = describeError(error)
  switch (problem.code) {
    case 'UNAUTHENTICATED':
      return { message: WRONG_CREDENTIALS, code: problem.code }
    case 'RATE_LIMITED': {
      const wait = retryAfterSeconds(error)
      const when = wait === undefined ? 'in a moment' : `in ${formatWait(wait)}`
      return { message: `Too many failed sign-ins. Try again ${when}.`, code: problem.code }
    }
    default:
      // UNAVAILABLE carries the server's own words ("Keystone is unreachable …").
      return problem
  }
}

// isForbidden tells whether the server refused the request for lack of rights (an admin
// field asked by a non-admin, for example).
export function isForbidden(error: CombinedError | undefined): boolean {
  return error !== undefined && errorCode(error) === 'FORBIDDEN'
}
