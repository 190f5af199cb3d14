import { createContext, useContext, useState } from 'react'
import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'
import { useQuery } from 'urql'
import type { ViewerQuery as ViewerResult } from '../gql/graphql'
import { ViewerQuery } from '../graphql/viewer'
import { ErrorState } from './ErrorState'
import { Loading } from './Loading'

// Viewer is the signed-in user as the app shell knows them.
export type Viewer = NonNullable<ViewerResult['viewer']>

const ViewerContext = createContext<Viewer | null>(null)

// useViewer is the signed-in user; only pages under RequireViewer may call it.
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext)
  if (!viewer) throw new Error('useViewer outside RequireViewer')
  return viewer
}

// RequireViewer renders its children for a signed-in user and sends everyone else to
// /login, remembering the page they wanted.
export function RequireViewer({ children }: { children: ReactNode }) {
  const location = useLocation()
  const [result, refetch] = useQuery({ query: ViewerQuery })
  // While the viewer is fetched again (after a cluster switch drops the cache) the shell
  // keeps showing the last answer instead of blinking to a loading screen.
  const [last, setLast] = useState<ViewerResult | undefined>(undefined)
  if (result.data && result.data !== last) setLast(result.data)
  const data = result.data ?? last

  if (!data) {
    if (result.error) {
      return (
        <div className="fullpage">
          <ErrorState
            error={result.error}
            title="The control panel cannot be loaded"
            onRetry={() => refetch({ requestPolicy: 'network-only' })}
          />
        </div>
      )
    }
    return (
      <div className="fullpage">
        <Loading />
      </div>
    )
  }
  if (!data.viewer) {
    const from = location.pathname + location.search + location.hash
    return <Navigate to="/login" replace state={{ from }} />
  }
  return <ViewerContext.Provider value={data.viewer}>{children}</ViewerContext.Provider>
}
