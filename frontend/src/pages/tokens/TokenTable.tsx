import { useState } from 'react'
import { useMutation } from 'urql'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { Time } from '../../components/Time'
import { graphql } from '../../gql'
import type { TokensPageQuery } from '../../gql/graphql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { describeExpiry } from '../../lib/format'

const DeleteTokenMutation = graphql(`
  mutation DeleteToken($id: ID!) {
    deleteToken(id: $id)
  }
`)

type Token = TokensPageQuery['tokenPage']['tokens'][number]

// TokenTable lists tokens and deletes one after a confirmation.
export function TokenTable({ tokens, onDeleted }: { tokens: readonly Token[]; onDeleted: (message: string) => void }) {
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
    onDeleted(`Token “${target.name}” deleted. It stopped working at once, on every cluster.`)
    setTarget(null)
  }

  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="token-table">
          <caption className="visually-hidden">Your API tokens, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Last cluster</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => {
              const expiry = describeExpiry(t.expiresAt, now)
              return (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>
                    <code>{t.prefix}</code>
                  </td>
                  <td>
                    <Time value={t.createdAt} />
                  </td>
                  <td>
                    <Time value={t.expiresAt} />{' '}
                    <span className={`badge ${expiry.expired ? 'badge--danger' : 'badge--neutral'}`}>{expiry.label}</span>
                  </td>
                  <td>
                    <Time value={t.lastUsedAt} fallback="never" />
                  </td>
                  <td>{t.lastUsedCluster ?? <span className="muted">—</span>}</td>
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
          Anything using the token <code>{target?.prefix}</code> loses access at once, on every
          cluster. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}
