import { useMemo, useState } from 'react'
import { useQuery } from 'urql'
import { EmptyState } from '../../components/EmptyState'
import { ErrorState } from '../../components/ErrorState'
import { Loading } from '../../components/Loading'
import { PageHeader } from '../../components/PageHeader'
import { graphql } from '../../gql'
import { CreateTokenForm } from './CreateTokenForm'
import { KubeconfigFromToken } from './KubeconfigFromToken'
import type { CreatedSecret } from './CreateTokenForm'
import { NewTokenSecret } from './NewTokenSecret'
import { TokenTable } from './TokenTable'

const TokensPageQuery = graphql(`
  query TokensPage {
    tokens {
      id
      name
      prefix
      createdAt
      expiresAt
      lastUsedAt
      lastUsedCluster
    }
    clusters {
      id
      name
      apiURL
      caPEM
    }
    settings {
      webhookCacheSeconds
      webhookIdentifiesClusters
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

// TokensPage (/tokens) lists the viewer's API tokens for Kubernetes, creates them
// (showing the secret once) and deletes them.
export function TokensPage() {
  // additionalTypenames: creating or deleting a token refetches the list even when it
  // was empty (an empty list carries no Token type for the cache to match).
  const context = useMemo(() => ({ additionalTypenames: ['Token'] }), [])
  const [result, refetch] = useQuery({ query: TokensPageQuery, context })
  // The new secret lives in this component's state only: never in the URL, storage or
  // the cache, and gone when the user dismisses it or leaves the page.
  const [created, setCreated] = useState<CreatedSecret | null>(null)
  const [announcement, setAnnouncement] = useState('')

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
        ) : result.data.tokens.length === 0 ? (
          <EmptyState title="You have no tokens yet">
            Create one above, then use it with kubectl or download a kubeconfig.
          </EmptyState>
        ) : (
          <TokenTable tokens={result.data.tokens} settings={result.data.settings} onDeleted={setAnnouncement} />
        )}
      </section>

      {result.data && <KubeconfigFromToken clusters={result.data.clusters} activeClusterId={cluster?.id ?? null} userName={userName} />}
    </div>
  )
}
