import { useEffect, useId, useState } from 'react'
import type { FormEvent } from 'react'
import { Navigate, useLocation, useNavigate } from 'react-router'
import { useQuery } from 'urql'
import { graphql } from '../../gql'
import { describeLoginError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { useResetClient, useSessionMutation } from '../../graphql/GraphQLProvider'
import { ViewerQuery } from '../../graphql/viewer'
import styles from './LoginPage.module.css'

const LoginMutation = graphql(`
  mutation Login($username: String!, $password: String!, $domain: String) {
    login(username: $username, password: $password, domain: $domain) {
      id
      name
    }
  }
`)

// LoginState is what a redirect to /login may carry: the page the user wanted.
interface LoginState {
  from?: string
  expired?: boolean
}

// safeTarget keeps the redirect after login inside the app.
function safeTarget(from: unknown): string {
  if (typeof from !== 'string' || !from.startsWith('/') || from.startsWith('//')) return '/'
  if (from === '/login' || from.startsWith('/login?')) return '/'
  return from
}

// LoginPage (/login) signs a Keystone user in. The password goes to the panel's server
// once and is kept nowhere in the browser.
export function LoginPage() {
  const location = useLocation()
  const navigate = useNavigate()
  const resetClient = useResetClient()
  const state = (location.state ?? {}) as LoginState
  const target = safeTarget(state.from)

  const [viewer] = useQuery({ query: ViewerQuery, requestPolicy: 'network-only' })
  const [login, runLogin] = useSessionMutation(LoginMutation)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [domain, setDomain] = useState('Default')
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const ids = { username: useId(), password: useId(), domain: useId(), error: useId() }

  useEffect(() => {
    document.title = 'Sign in · KaaS control panel'
  }, [])

  // Someone already signed in has nothing to do here.
  if (viewer.data?.viewer && !login.fetching) return <Navigate to={target} replace />

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    const result = await runLogin({ username: username.trim(), password, domain: domain.trim() || 'Default' })
    if (result.error) {
      setProblem(describeLoginError(result.error))
      setPassword('')
      return
    }
    if (result.data) {
      resetClient()
      navigate(target, { replace: true })
    }
  }

  return (
    <div className={styles.page}>
      <main className={styles.card}>
        <header className={styles.header}>
          <span className={styles.mark} aria-hidden="true">
            K
          </span>
          <div>
            <h1 className={styles.title}>Sign in</h1>
            <p className={styles.subtitle}>KaaS control panel — use your OpenStack account.</p>
          </div>
        </header>

        {state.expired && !problem && (
          <p className={styles.notice} role="status">
            Your session ended. Sign in again to continue.
          </p>
        )}

        <form className="form" onSubmit={(e) => void onSubmit(e)} aria-describedby={problem ? ids.error : undefined}>
          <div className="field">
            <label htmlFor={ids.username}>Username</label>
            <input
              id={ids.username}
              className="input"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              autoFocus
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.password}>Password</label>
            <input
              id={ids.password}
              className="input"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.domain}>Domain</label>
            <input
              id={ids.domain}
              className="input"
              name="domain"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${ids.domain}-hint`}
              value={domain}
              onChange={(e) => setDomain(e.target.value)}
            />
            <span id={`${ids.domain}-hint`} className="field__hint">
              Your Keystone domain; most accounts are in “Default”.
            </span>
          </div>

          <div aria-live="assertive" id={ids.error}>
            {problem && (
              <p className="form-error" role="alert">
                {problem.message}
                {problem.code !== 'UNAUTHENTICATED' && (
                  <>
                    {' '}
                    <span className="code-tag">{problem.code}</span>
                  </>
                )}
              </p>
            )}
          </div>

          <button type="submit" className="btn btn--primary" disabled={login.fetching}>
            {login.fetching ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  )
}
