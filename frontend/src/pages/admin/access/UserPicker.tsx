import { useEffect, useId, useState } from 'react'
import { useQuery } from 'urql'
import { ErrorState } from '../../../components/ErrorState'
import { graphql } from '../../../gql'
import { nextOffset, pageRange, previousOffset, USER_PAGE_SIZE, userLabel } from './userSearch'

const KeystoneUsersQuery = graphql(`
  query KeystoneUsers($clusterId: ID, $search: String!, $offset: Int, $limit: Int) {
    keystoneUsers(clusterId: $clusterId, search: $search, offset: $offset, limit: $limit) {
      users {
        id
        name
        domain
        enabled
        kubernetesUsername
      }
      total
      offset
      hasMore
    }
  }
`)

// ChosenUser is the Keystone user a binding will name.
export interface ChosenUser {
  id: string
  name: string
  domain: string
  kubernetesUsername: string
}

const DEBOUNCE_MS = 250

// UserPicker searches the Keystone users of every domain by name, on the server, a page at
// a time, and lets the admin choose one.
export function UserPicker({
  clusterId,
  chosen,
  invalid,
  onChoose,
}: {
  clusterId: string
  chosen: ChosenUser | null
  invalid: boolean
  onChoose: (user: ChosenUser | null) => void
}) {
  const ids = { search: useId(), results: useId() }
  const [typed, setTyped] = useState('')
  const [search, setSearch] = useState('')
  const [offset, setOffset] = useState(0)
  useEffect(() => {
    const next = typed.trim()
    if (next === search) return
    const t = setTimeout(() => {
      setSearch(next)
      setOffset(0)
    }, DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [typed, search])
  const [result, refetch] = useQuery({ query: KeystoneUsersQuery, variables: { clusterId, search, offset, limit: USER_PAGE_SIZE } })
  const page = result.data?.keystoneUsers

  if (chosen) {
    return (
      <div className="field field--grow" data-testid="chosen-user">
        <span className="field__label">Keystone user</span>
        <span className="row">
          <strong>{userLabel(chosen)}</strong>
          <button type="button" className="btn btn--secondary btn--small" onClick={() => onChoose(null)}>
            Choose another
          </button>
        </span>
        <details className="ids">
          <summary>IDs</summary>
          <dl className="ids__list">
            <dt>Keystone user ID</dt>
            <dd>
              <code>{chosen.id}</code>
            </dd>
            <dt>Kubernetes user</dt>
            <dd>
              <code>{chosen.kubernetesUsername}</code>
            </dd>
          </dl>
        </details>
      </div>
    )
  }

  return (
    <div className="field field--grow">
      <label htmlFor={ids.search}>Find a Keystone user</label>
      <input
        id={ids.search}
        className="input"
        type="search"
        maxLength={64}
        autoCapitalize="none"
        spellCheck={false}
        placeholder="part of the user name"
        aria-invalid={invalid || undefined}
        aria-controls={ids.results}
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
      />
      <span className="field__hint">Users of every Keystone domain whose name contains what you type.</span>
      <div id={ids.results} aria-live="polite" aria-busy={result.fetching}>
        {result.error && !page ? (
          <ErrorState error={result.error} title="The Keystone users could not be searched" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
        ) : !page ? (
          <p className="muted">Searching…</p>
        ) : page.users.length === 0 ? (
          <p className="muted">{search ? `No Keystone user’s name contains “${search}”.` : 'Keystone has no users.'}</p>
        ) : (
          <>
            <ul className="user-results" aria-label="Keystone users found">
              {page.users.map((u) => (
                <li key={u.id}>
                  <button
                    type="button"
                    className="btn btn--secondary btn--small"
                    disabled={!u.kubernetesUsername}
                    title={u.kubernetesUsername ? `In Kubernetes: ${u.kubernetesUsername}` : 'Its name cannot be a Kubernetes user name'}
                    onClick={() => u.kubernetesUsername && onChoose({ id: u.id, name: u.name, domain: u.domain, kubernetesUsername: u.kubernetesUsername })}
                  >
                    {userLabel(u)}
                  </button>
                  {!u.enabled && <span className="badge badge--warning">disabled</span>}
                </li>
              ))}
            </ul>
            <div className="row pager">
              <button type="button" className="btn btn--secondary btn--small" disabled={previousOffset(page.offset) === null} onClick={() => setOffset(previousOffset(page.offset) ?? 0)}>
                Previous
              </button>
              <span className="muted" data-testid="user-page">
                {pageRange(page.offset, page.users.length, page.total)}
              </span>
              <button
                type="button"
                className="btn btn--secondary btn--small"
                disabled={nextOffset(page.offset, page.users.length, page.total) === null}
                onClick={() => setOffset(nextOffset(page.offset, page.users.length, page.total) ?? page.offset)}
              >
                Next
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  )
}
