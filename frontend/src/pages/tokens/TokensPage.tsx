import { useMemo, useState } from 'react'
import { useClient, useQuery } from 'urql'
import type { CombinedError } from 'urql'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { PageHeader } from '../../components/PageHeader'
import { graphql } from '../../gql'
import type { TokensPageQuery as TokensPageData } from '../../gql/graphql'
import { CreateTokenForm } from './CreateTokenForm'
import type { CreatedSecret } from './CreateTokenForm'
import { NewTokenSecret } from './NewTokenSecret'
import { TokenTable } from './TokenTable'

// PAGE_SIZE is how many tokens one request lists; a user may hold any number, and
// "Show more" fetches the next page after the cursor of the last one.
const PAGE_SIZE = 100

const TokensPageQuery = graphql(`
  query TokensPage($first: Int!) {
    tokenPage(first: $first) {
      tokens {
        id
        name
        prefix
        createdAt
        expiresAt
        lastUsedAt
        lastUsedCluster
      }
      nextAfter
    }
    viewer {
      id
      name
      activeCluster {
        id
        name
        apiURL
        caPEM
      }
    }
  }
`)

const MoreTokensQuery = graphql(`
  query MoreTokens($first: Int!, $after: String!) {
    tokenPage(first: $first, after: $after) {
      tokens {
        id
        name
        prefix
        createdAt
        expiresAt
        lastUsedAt
        lastUsedCluster
      }
      nextAfter
    }
  }
`)

type FirstPage = TokensPageData['tokenPage']

// Later pages belong to the first page they continue: when that page is fetched again
// (a token was created or deleted), they are dropped, so no token shows twice or is
// skipped.
type LaterPages = { after: FirstPage; tokens: FirstPage['tokens']; nextAfter: string | null }

// TokensPage (/tokens) lists the viewer's API tokens for Kubernetes, creates them
// (showing the secret once) and deletes them.
export function TokensPage() {
  // additionalTypenames: creating or deleting a token refetches the list even when it
  // was empty (an empty list carries no Token type for the cache to match).
  const context = useMemo(() => ({ additionalTypenames: ['Token'] }), [])
  const [result, refetch] = useQuery({ query: TokensPageQuery, variables: { first: PAGE_SIZE }, context })
  const client = useClient()
  const [later, setLater] = useState<LaterPages | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreError, setMoreError] = useState<CombinedError | null>(null)
  // The new secret lives in this component's state only: never in the URL, storage or
  // the cache, and gone when the user dismisses it or leaves the page.
  const [created, setCreated] = useState<CreatedSecret | null>(null)
  const [announcement, setAnnouncement] = useState('')

  const first = result.data?.tokenPage ?? null
  const current = later && later.after === first ? later : null
  const tokens = first ? [...first.tokens, ...(current?.tokens ?? [])] : []
  const nextAfter = current ? current.nextAfter : (first?.nextAfter ?? null)

  async function showMore() {
    if (!first || !nextAfter) return
    setLoadingMore(true)
    setMoreError(null)
    const r = await client
      .query(MoreTokensQuery, { first: PAGE_SIZE, after: nextAfter }, { requestPolicy: 'network-only' })
      .toPromise()
    setLoadingMore(false)
    if (r.error || !r.data) {
      setMoreError(r.error ?? null)
      return
    }
    setLater({
      after: first,
      tokens: [...(current?.tokens ?? []), ...r.data.tokenPage.tokens],
      nextAfter: r.data.tokenPage.nextAfter,
    })
  }

  const cluster = result.data?.viewer?.activeCluster ?? null
  const userName = result.data?.viewer?.name ?? ''

  return (
    <div className="page">
      <PageHeader
        title="Tokens"
        description="API tokens let kubectl and scripts act as you on every cluster of this environment. A token is valid for at most one year; delete it as soon as you no longer need it."
      />

      <CreateTokenForm
        onCreated={(c) => {
          setAnnouncement('')
          setCreated(c)
        }}
      />

      {created && (
        <NewTokenSecret created={created} cluster={cluster} userName={userName} onDismiss={() => setCreated(null)} />
      )}

      <section aria-labelledby="tokens-heading" className="stack">
        <h2 id="tokens-heading">Your tokens</h2>
        <p className={announcement ? 'form-success' : 'visually-hidden'} role="status" aria-live="polite">
          {announcement}
        </p>
        {result.error && !result.data ? (
          <ErrorState
            error={result.error}
            title="Your tokens could not be loaded"
            onRetry={() => refetch({ requestPolicy: 'network-only' })}
          />
        ) : !result.data ? (
          <Loading label="Loading your tokens…" />
        ) : tokens.length === 0 ? (
          <EmptyState title="You have no tokens yet">
            Create one above, then use it with kubectl or download a kubeconfig.
          </EmptyState>
        ) : (
          <>
            <TokenTable tokens={tokens} onDeleted={setAnnouncement} />
            {moreError && (
              <ErrorState error={moreError} title="More tokens could not be loaded" onRetry={() => void showMore()} />
            )}
            {nextAfter && (
              <div className="row">
                <span className="muted" data-testid="token-count">
                  Showing your {tokens.length} newest tokens.
                </span>
                <button type="button" className="btn btn--secondary" disabled={loadingMore} onClick={() => void showMore()}>
                  {loadingMore ? 'Loading…' : 'Show more tokens'}
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </div>
  )
}
