import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { MemoryRouter } from 'react-router'
import { CombinedError, Provider } from 'urql'
import type { Operation } from 'urql'
import { fromValue, never } from 'wonka'
import { RequireViewer } from '../components/RequireViewer'
import { mockClient } from './mockClient'
import type { MockClient } from './mockClient'

// operationName is the name of a GraphQL operation ("Overview", "AccessPage", …).
export function operationName(op: Operation): string {
  const def = op.query.definitions.find((d) => d.kind === 'OperationDefinition')
  return def?.kind === 'OperationDefinition' ? (def.name?.value ?? '') : ''
}

// An answer is data, an error code (a GraphQL error with extensions.code) or 'pending'.
export type Answer = { data: unknown } | { error: string; message?: string } | 'pending'
export type Answers = Record<string, Answer | ((op: Operation) => Answer)>

export interface TestViewer {
  isOperator?: boolean
  isClusterAdmin?: boolean
  cluster?: { id: string; name: string } | null
}

function answer(a: Answer) {
  if (a === 'pending') return never
  if ('data' in a) return fromValue({ data: a.data })
  return fromValue({
    error: new CombinedError({ graphQLErrors: [{ message: a.message ?? `refused: ${a.error}`, extensions: { code: a.error } }] }),
  })
}

// renderPage renders a page as the app does (inside RequireViewer, so useViewer works)
// against a mock API that answers each operation by name. queries lists every query the
// page asked, in order.
export function renderPage(page: ReactNode, answers: Answers, viewer: TestViewer = {}, path = '/') {
  const queries: Operation[] = []
  const handle = (op: Operation) => {
    const name = operationName(op)
    if (name === 'Viewer') {
      const c = viewer.cluster === undefined ? { id: 'c1', name: 'prod' } : viewer.cluster
      return answer({
        data: {
          viewer: {
            id: 'u1',
            name: 'alice',
            domain: 'Default',
            isOperator: viewer.isOperator ?? false,
            isClusterAdmin: viewer.isClusterAdmin ?? false,
            activeCluster: c ? { ...c, status: 'READY' } : null,
          },
        },
      })
    }
    const a = answers[name]
    if (!a) throw new Error(`no answer for operation ${name}`)
    return answer(typeof a === 'function' ? a(op) : a)
  }
  const client: MockClient = mockClient({
    query: (op) => {
      if (operationName(op) !== 'Viewer') queries.push(op)
      return handle(op)
    },
    mutation: handle,
  })
  const view = render(
    <Provider value={client}>
      <MemoryRouter initialEntries={[path]}>
        <RequireViewer>{page}</RequireViewer>
      </MemoryRouter>
    </Provider>,
  )
  return { ...view, client, queries }
}
