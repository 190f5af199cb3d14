import { useId, useState } from 'react'
import { useMutation } from 'urql'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'
import type { TokensPageQuery } from '../../gql/graphql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { describeExpiry, EXPIRES_SOON_DAYS } from '../../lib/format'
import { deletionEffect, lastCluster, PLAIN_HTTP_WHY } from './tokenFacts'

const DeleteTokenMutation = graphql(`
  mutation DeleteToken($id: ID!) {
    deleteToken(id: $id)
  }
`)

type Token = TokensPageQuery['tokenPage']['tokens'][number]

// TokenTable lists tokens and deletes one after a confirmation. settings say how long
// clusters cache the panel's answers and whether they name themselves to the webhook.
export function TokenTable({
  tokens,
  settings,
  onDeleted,
}: {
  tokens: readonly Token[]
  settings: { webhookCacheSeconds: number; webhookIdentifiesClusters: boolean }
  onDeleted: (message: string) => void
}) {
  const noteId = useId()
  const [deleting, deleteToken] = useMutation(DeleteTokenMutation)
  const [target, setTarget] = useState<Token | null>(null)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const now = new Date()

  async function confirmDelete() {
    if (!target) return
    setProblem(null)
    const result = await deleteToken({ id: target.id }, { additionalTypenames: ['Token'] })
    if (result.error) {
      setProblem(describeError(result.error))
      return
    }
    onDeleted(`Token “${target.name}” deleted. ${deletionEffect(settings.webhookCacheSeconds)}`)
    setTarget(null)
  }

  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="token-table">
          <caption className="visually-hidden">Your API tokens, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name and prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used (cluster)</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => {
              const expiry = describeExpiry(t.expiresAt, now)
              const cluster = lastCluster(t, settings.webhookIdentifiesClusters)
              return (
                <tr key={t.id}>
                  <th scope="row">
                    <span className="cell-lines">
                      <span>{t.name}</span>{' '}
                      <code className="muted" data-testid="token-prefix">
                        {t.prefix}
                      </code>
                    </span>
                  </th>
                  <td>
                    <Time value={t.createdAt} />
                  </td>
                  <td>
                    <span className="cell-lines">
                      <Time value={t.expiresAt} />{' '}
                      <span
                        className={`badge ${expiry.expired ? 'badge--danger' : expiry.soon ? 'badge--warning' : 'badge--neutral'}`}
                        data-testid="token-expiry"
                        title={expiry.soon ? `Expires within ${EXPIRES_SOON_DAYS} days: create a new token and move to it` : undefined}
                      >
                        {expiry.soon ? `expires soon: ${expiry.label}` : expiry.label}
                      </span>
                    </span>
                  </td>
                  <td>
                    <span className="cell-lines">
                      <Time value={t.lastUsedAt} fallback="never" />{' '}
                      {t.lastUsedAt &&
                        (cluster.why ? (
                          <span className="muted" data-testid="last-cluster" title={cluster.why} aria-describedby={cluster.why === PLAIN_HTTP_WHY ? noteId : undefined}>
                            cluster {cluster.text}
                          </span>
                        ) : (
                          <span data-testid="last-cluster">
                            on <strong>{cluster.text}</strong>
                          </span>
                        ))}
                    </span>
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="btn btn--danger-quiet btn--small"
                      aria-label={`Delete token ${t.name} (${t.prefix})`}
                      onClick={() => {
                        setProblem(null)
                        setTarget(t)
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {!settings.webhookIdentifiesClusters && (
        <p className="form-note" id={noteId} data-testid="last-cluster-note">
          The cluster a token was last used on stays unknown: {PLAIN_HTTP_WHY.charAt(0).toLowerCase() + PLAIN_HTTP_WHY.slice(1)} An operator can serve the webhook over
          https (<code>--webhook-addr</code>) so that clusters name themselves.
        </p>
      )}
      <ConfirmDialog
        open={target !== null}
        title={target ? `Delete token “${target.name}”?` : 'Delete token?'}
        confirmLabel="Delete token"
        busy={deleting.fetching}
        problem={problem}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setTarget(null)}
      >
        <p>
          Anything using the token <code>{target?.prefix}</code> loses access. {deletionEffect(settings.webhookCacheSeconds)} This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </>
  )
}
