import { createClient as createWsClient } from 'graphql-ws'
import type { Client as WsClient } from 'graphql-ws'
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql'
import { errorCode } from './errors'

// websocketURL is the panel's subscription endpoint on the page's own origin, so the
// session cookie goes along and the server's Origin check passes.
export function websocketURL(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/graphql`
}

// Every request is a POST of application/json: the server accepts no other content type,
// and GET queries would put variables into URLs and logs.
const transport = {
  url: '/graphql',
  preferGetMethod: false,
  fetchOptions: { credentials: 'same-origin' },
} as const

// createSessionClient is a client without a cache for the mutations after which the app
// drops its cache anyway (see useSessionMutation).
export function createSessionClient(): Client {
  return new Client({ ...transport, exchanges: [fetchExchange] })
}

export interface PanelClient {
  client: Client
  dispose: () => void
}

// createPanelClient builds the urql client for the panel's API. onSessionLost is called
// when the server answers UNAUTHENTICATED to anything but a login attempt: the session
// expired or was ended elsewhere.
export function createPanelClient(onSessionLost: () => void): PanelClient {
  // The websocket client is made on the first subscription; lazy: the socket opens with
  // the first subscription and closes after the last. dispose closes it, and a later
  // subscription makes a new one (React's StrictMode disposes and remounts once).
  let ws: WsClient | null = null
  const websocket = () =>
    (ws ??= createWsClient({ url: websocketURL(window.location), lazy: true, retryAttempts: 5 }))
  const client = new Client({
    ...transport,
    exchanges: [
      mapExchange({
        onError(error, operation) {
          const name = operation.query.definitions.find((d) => d.kind === 'OperationDefinition')
          const isLogin = name?.kind === 'OperationDefinition' && name.name?.value === 'Login'
          if (!isLogin && errorCode(error) === 'UNAUTHENTICATED') onSessionLost()
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' }
          return {
            subscribe(sink) {
              const unsubscribe = websocket().subscribe(input, sink)
              return { unsubscribe }
            },
          }
        },
      }),
    ],
  })
  return {
    client,
    dispose: () => {
      void ws?.dispose()
      ws = null
    },
  }
}
