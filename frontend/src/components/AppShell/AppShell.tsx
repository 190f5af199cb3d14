import { useState } from 'react'
import type { ReactNode } from 'react'
import { NavLink, Outlet, useNavigate } from 'react-router'
import { graphql } from '../../gql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { useResetClient, useSessionMutation } from '../../graphql/GraphQLProvider'
import { useViewer } from '../RequireViewer'
import styles from './AppShell.module.css'
import { ClusterSwitcher } from './ClusterSwitcher'

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`)

function NavItem({ to, children, end }: { to: string; children: string; end?: boolean }) {
  return (
    <li>
      <NavLink to={to} end={end} className={({ isActive }) => (isActive ? `${styles.navLink} ${styles.navLinkActive}` : styles.navLink)}>
        {children}
      </NavLink>
    </li>
  )
}

function NavSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className={styles.navSection}>
      <h2 className={styles.navHeading}>{title}</h2>
      <ul className={styles.navList}>{children}</ul>
    </div>
  )
}

// AppShell is the frame of every signed-in page: the sidebar (cluster menu, navigation,
// who is signed in) and the page itself.
export function AppShell() {
  const viewer = useViewer()
  const navigate = useNavigate()
  const resetClient = useResetClient()
  const [logoutState, logout] = useSessionMutation(LogoutMutation)
  const [logoutProblem, setLogoutProblem] = useState<ProblemDescription | null>(null)

  async function onLogout() {
    setLogoutProblem(null)
    const result = await logout({})
    if (result.error) {
      setLogoutProblem(describeError(result.error))
      return
    }
    resetClient()
    navigate('/login', { replace: true })
  }

  return (
    <div className={styles.shell}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className={styles.sidebar}>
        <div className={styles.brand}>
          <span className={styles.brandMark} aria-hidden="true">
            K
          </span>
          KaaS control panel
        </div>
        <ClusterSwitcher />
        <nav className={styles.nav} aria-label="Main">
          <NavSection title="Cluster">
            <NavItem to="/" end>
              Overview
            </NavItem>
            <NavItem to="/services">Services</NavItem>
          </NavSection>
          <NavSection title="Access to Kubernetes">
            <NavItem to="/tokens">Tokens</NavItem>
          </NavSection>
          {viewer.isClusterAdmin && (
            <NavSection title="Administration">
              <NavItem to="/admin/access">Access</NavItem>
              <NavItem to="/admin/backups">Backups</NavItem>
              <NavItem to="/admin/audit">Audit</NavItem>
            </NavSection>
          )}
          {viewer.isOperator && (
            <NavSection title="Operations">
              <NavItem to="/operations/clusters">Clusters</NavItem>
              {/* Operators read the whole audit trail; admins find it under Administration. */}
              {!viewer.isClusterAdmin && <NavItem to="/admin/audit">Audit trail</NavItem>}
            </NavSection>
          )}
        </nav>
        <div className={styles.user} aria-label="Signed in user" role="region">
          <div className={styles.userText}>
            <span className={styles.userName} data-testid="viewer-name">
              {viewer.name}
            </span>
            <span className={styles.userDomain}>domain {viewer.domain}</span>
          </div>
          <button type="button" className="btn btn--secondary btn--small" disabled={logoutState.fetching} onClick={() => void onLogout()}>
            Log out
          </button>
          {logoutProblem && (
            <p className={styles.clusterError} role="alert">
              Logout failed: {logoutProblem.message} ({logoutProblem.code})
            </p>
          )}
        </div>
      </aside>
      <main id="main" className={styles.main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  )
}
