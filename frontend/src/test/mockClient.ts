import { Client } from 'urql'
import type { Exchange, Operation, OperationResult } from 'urql'
import { filter, map, mergeMap, never, pipe, takeUntil } from 'wonka'
import type { Source } from 'wonka'

// Answer is what a handler gives for an operation: data or an error (a CombinedError).
type Answer = Pick<OperationResult, 'data' | 'error'>
type Handler = (operation: Operation) => Source<Partial<Answer>>

// MockClient is a real urql Client whose network is a function, plus the variables of
// every mutation it was asked to run.
export type MockClient = Client & { mutations: Operation[] }

// mockClient builds an urql client for component tests: each kind of operation answers
// through a handler (wonka's fromValue for an answer, never for "still loading").
export function mockClient(handlers: { query?: Handler; mutation?: Handler }): MockClient {
  const mutations: Operation[] = []
  const answer: Exchange =
    () =>
    (operations$) => {
      const teardown$ = pipe(
        operations$,
        filter((op) => op.kind === 'teardown'),
      )
      return pipe(
        operations$,
        filter((op) => op.kind === 'query' || op.kind === 'mutation'),
        mergeMap((op) => {
          if (op.kind === 'mutation') mutations.push(op)
          const handler = (op.kind === 'query' ? handlers.query : handlers.mutation) ?? (() => never)
          return pipe(
            handler(op),
            map((a): OperationResult => ({ operation: op, data: a.data, error: a.error, stale: false, hasNext: false })),
            takeUntil(pipe(teardown$, filter((t) => t.key === op.key))),
          )
        }),
      )
    }
  const client = new Client({ url: '/graphql', exchanges: [answer] }) as MockClient
  client.mutations = mutations
  return client
}
