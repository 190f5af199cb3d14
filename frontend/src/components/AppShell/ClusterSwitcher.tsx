import { useEffect, useId, useReducer } from 'react'
import { useQuery } from 'urql'
import { graphql } from '../../gql'
import { describeError } from '../../graphql/errors'
import { useResetClient, useSessionMutation } from '../../graphql/GraphQLProvider'
import { useViewer } from '../RequireViewer'
import styles from './AppShell.module.css'
import { clusterMenu, clusterSwitch, idleSwitch, shownClusterId } from './clusterMenu'

const ClusterChoicesQuery = graphql(`
  query ClusterChoices {
    clusters {
      id
      name
      status
    }
  }
`)

const SelectClusterMutation = graphql(`
  mutation SelectCluster($id: ID!) {
    selectCluster(id: $id) {
      id
      activeCluster {
        id
      }
    }
  }
`)

// ClusterSwitcher is the blue box at the top of the sidebar: the active cluster, and a
// menu to change it when there is more than one. Changing it refreshes every page's data.
export function ClusterSwitcher() {
  const viewer = useViewer()
  const resetClient = useResetClient()
  const selectId = useId()
  const [clusters] = useQuery({ query: ClusterChoicesQuery })
  const [, selectCluster] = useSessionMutation(SelectClusterMutation)
  const [state, dispatch] = useReducer(clusterSwitch, idleSwitch)
  const activeId = viewer.activeCluster?.id ?? null

  useEffect(() => dispatch({ type: 'viewerShows', activeId }), [activeId])

  const menu = clusterMenu(viewer.activeCluster, clusters.data?.clusters)

  async function choose(id: string) {
    if (id === '' || id === shownClusterId(state, activeId)) return
    dispatch({ type: 'select', id })
    const result = await selectCluster({ id })
    if (result.error) {
      dispatch({ type: 'failed', error: describeError(result.error) })
      return
    }
    dispatch({ type: 'selected', activeId: result.data?.selectCluster.activeCluster?.id ?? null })
    resetClient()
  }

  return (
    <div className={styles.cluster}>
      {menu.kind === 'none' && (
        <>
          <span className={styles.clusterLabel}>Cluster</span>
          <span className={styles.clusterName}>No cluster yet</span>
        </>
      )}
      {menu.kind === 'single' && (
        <>
          <span className={styles.clusterLabel}>Cluster</span>
          <span className={styles.clusterName}>{menu.cluster.name}</span>
        </>
      )}
      {menu.kind === 'choice' && (
        <>
          <label htmlFor={selectId} className={styles.clusterLabel}>
            Active cluster
          </label>
          <select
            id={selectId}
            className={styles.clusterSelect}
            value={shownClusterId(state, activeId)}
            disabled={state.pendingId !== null}
            onChange={(event) => void choose(event.target.value)}
          >
            {menu.activeId === null && state.pendingId === null && (
              <option value="">Choose a cluster…</option>
            )}
            {menu.options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </>
      )}
      <p className={styles.clusterStatus} role="status" aria-live="polite">
        {state.pendingId !== null ? 'Switching cluster…' : ''}
      </p>
      {state.error && (
        <p className={styles.clusterError} role="alert">
          Could not switch: {state.error.message} ({state.error.code}){' '}
          <button type="button" className={styles.linkButton} onClick={() => dispatch({ type: 'dismissError' })}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  )
}
