import { CombinedError } from 'urql'
import { describe, expect, it } from 'vitest'
import { WRONG_CREDENTIALS, describeError, describeLoginError, errorCode, isForbidden } from './errors'

function gqlError(message: string, code?: string): CombinedError {
  return new CombinedError({ graphQLErrors: [{ message, extensions: code ? { code } : {} }] })
}

const networkError = new CombinedError({ networkError: new Error('Failed to fetch') })

describe('errorCode', () => {
  const cases = [
    { name: 'code of the first error', error: gqlError('nope', 'FORBIDDEN'), want: 'FORBIDDEN' },
    { name: 'network failure', error: networkError, want: 'NETWORK' },
    { name: 'no code', error: gqlError('odd'), want: undefined },
  ]
  for (const tc of cases) it(tc.name, () => expect(errorCode(tc.error)).toBe(tc.want))
})

describe('describeError', () => {
  const cases = [
    { name: 'server message without the [GraphQL] prefix', error: gqlError('cluster not found', 'NOT_FOUND'), want: { message: 'cluster not found', code: 'NOT_FOUND' } },
    { name: 'error without a code', error: gqlError('odd'), want: { message: 'odd', code: 'UNKNOWN' } },
  ]
  for (const tc of cases) it(tc.name, () => expect(describeError(tc.error)).toEqual(tc.want))

  it('network failure says the server is unreachable', () => {
    const p = describeError(networkError)
    expect(p.code).toBe('NETWORK')
    expect(p.message).toMatch(/could not be reached \(Failed to fetch\)/)
  })
})

describe('describeLoginError', () => {
  const cases = [
    { name: 'wrong credentials', error: gqlError('authentication failed', 'UNAUTHENTICATED'), want: { message: WRONG_CREDENTIALS, code: 'UNAUTHENTICATED' } },
    { name: 'Keystone down keeps the server message', error: gqlError('Keystone is unreachable: connection refused', 'UNAVAILABLE'), want: { message: 'Keystone is unreachable: connection refused', code: 'UNAVAILABLE' } },
    { name: 'invalid input', error: gqlError('username is required', 'INVALID'), want: { message: 'username is required', code: 'INVALID' } },
    { name: 'internal error', error: gqlError('internal error', 'INTERNAL'), want: { message: 'internal error', code: 'INTERNAL' } },
  ]
  for (const tc of cases) it(tc.name, () => expect(describeLoginError(tc.error)).toEqual(tc.want))
})

describe('isForbidden', () => {
  const cases = [
    { name: 'FORBIDDEN', error: gqlError('admins only', 'FORBIDDEN'), want: true },
    { name: 'another code', error: gqlError('gone', 'NOT_FOUND'), want: false },
    { name: 'network failure', error: networkError, want: false },
    { name: 'no error', error: undefined, want: false },
  ]
  for (const tc of cases) it(tc.name, () => expect(isForbidden(tc.error)).toBe(tc.want))
})
