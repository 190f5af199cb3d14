import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react'
import type { ReactNode } from 'react'
import { useNavigate } from 'react-router'
import { Provider, useClient } from 'urql'
import type { AnyVariables, Client, DocumentInput, OperationResult } from 'urql'
import { createPanelClient, createSessionClient } from './client'

interface Session {
  reset: () => void
  sessionClient: Client | null
}

const SessionContext = createContext<Session>({ reset: () => {}, sessionClient: null })

// useResetClient returns a function that drops every cached result and makes every
// mounted query fetch again. The app calls it when what the server answers depends on
// something that just changed: the signed-in user (login, logout) or the active cluster.
// A fresh cache guarantees that no page shows another cluster's (or another user's) data,
// not even for a moment, and needs no list of which queries are cluster-scoped.
export function useResetClient(): () => void {
  return useContext(SessionContext).reset
}

// useSessionMutation runs a mutation that changes the session (login, logout, choosing
// the active cluster), after which the caller resets the client. It bypasses the cache,
// which would otherwise refetch the old client's queries once more for nothing. Outside
// GraphQLProvider (in component tests) it uses the client from urql's Provider.
export function useSessionMutation<Data, Variables extends AnyVariables>(
  document: DocumentInput<Data, Variables>,
): [{ fetching: boolean }, (variables: Variables) => Promise<OperationResult<Data, Variables>>] {
  const { sessionClient } = useContext(SessionContext)
  const fallback = useClient()
  const client = sessionClient ?? fallback
  const [fetching, setFetching] = useState(false)
  const execute = useCallback(
    async (variables: Variables) => {
      setFetching(true)
      try {
        return await client.mutation(document, variables).toPromise()
      } finally {
        setFetching(false)
      }
    },
    [client, document],
  )
  return [{ fetching }, execute]
}

// GraphQLProvider gives the app its urql client and replaces it on reset.
export function GraphQLProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate()
  const [generation, setGeneration] = useState(0)
  const reset = useCallback(() => setGeneration((g) => g + 1), [])

  // The client outlives renders; it reaches the current navigate through a ref.
  const onSessionLost = useRef<() => void>(() => {})
  useEffect(() => {
    onSessionLost.current = () => {
      if (window.location.pathname === '/login') return
      const from = window.location.pathname + window.location.search
      reset()
      navigate('/login', { replace: true, state: { from, expired: true } })
    }
  }, [navigate, reset])

  // A new generation is the reason to build a new client (with an empty cache).
  const panel = useMemo(
    () => createPanelClient(() => onSessionLost.current()),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [generation],
  )
  useEffect(() => panel.dispose, [panel])

  const sessionClient = useMemo(() => createSessionClient(), [])
  const session = useMemo(() => ({ reset, sessionClient }), [reset, sessionClient])

  return (
    <SessionContext.Provider value={session}>
      <Provider value={panel.client}>{children}</Provider>
    </SessionContext.Provider>
  )
}
