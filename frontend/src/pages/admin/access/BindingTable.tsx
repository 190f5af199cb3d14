import { useState } from 'react'
import { useMutation } from 'urql'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import type { AccessPageQuery, SubjectKind } from '../../../gql/graphql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { subjectKindLabel } from './bindingForm'
import { subjectIds, subjectLabel } from './userSearch'

const DeleteBindingMutation = graphql(`
  mutation DeleteBinding($input: DeleteBindingInput!) {
    deleteBinding(input: $input)
  }
`)

export type Binding = AccessPageQuery['bindings'][number]

const kindTone: Record<SubjectKind, string> = {
  KEYSTONE_ROLE: 'badge--info',
  KEYSTONE_USER: 'badge--success',
  OTHER: 'badge--neutral',
}

function Subjects({ subjects }: { subjects: Binding['subjects'] }) {
  if (subjects.length === 0) return <span className="muted">none</span>
  return (
    <ul className="inline-list inline-list--stacked">
      {subjects.map((s) => (
        <li key={`${s.kind}/${s.id}`}>
          <span className={`badge ${kindTone[s.kind] ?? 'badge--neutral'}`}>{subjectKindLabel(s.kind)}</span>
          {s.kind === 'OTHER' ? <code>{s.id}</code> : <strong>{subjectLabel(s)}</strong>}
          {s.kind !== 'OTHER' && (
            <details className="ids">
              <summary>IDs</summary>
              <dl className="ids__list">
                {subjectIds(s).map((i) => (
                  <div key={i.label}>
                    <dt>{i.label}</dt>
                    <dd>
                      <code>{i.value}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            </details>
          )}
        </li>
      ))}
    </ul>
  )
}

// BindingTable lists a cluster's bindings and deletes one (never a protected one) after a
// confirmation.
export function BindingTable({
  clusterId,
  bindings,
  onDeleted,
}: {
  clusterId: string
  bindings: readonly Binding[]
  onDeleted: (message: string) => void
}) {
  const [deleting, deleteBinding] = useMutation(DeleteBindingMutation)
  const [target, setTarget] = useState<Binding | null>(null)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)

  async function confirmDelete() {
    if (!target) return
    setProblem(null)
    const result = await deleteBinding(
      { input: { clusterId, name: target.name, namespace: target.namespace } },
      { additionalTypenames: ['RoleBinding'] },
    )
    if (result.error) {
      setProblem(describeError(result.error))
      return
    }
    onDeleted(`Binding “${target.name}” deleted. Its subjects lost the rights of ${target.roleName} at once.`)
    setTarget(null)
  }

  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="binding-table">
          <caption className="visually-hidden">Role bindings whose subjects are Keystone roles or users</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Kubernetes role</th>
              <th scope="col">Subjects</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {bindings.map((b) => (
              <tr key={b.id}>
                <th scope="row">
                  <span className="row">
                    {b.name}
                    {b.protected && (
                      <span className="badge badge--warning" title="A system or default binding: the panel does not delete it">
                        protected
                      </span>
                    )}
                  </span>
                </th>
                <td className="cell-words">
                  {b.namespace ? (
                    <>
                      namespace <code>{b.namespace}</code>
                    </>
                  ) : (
                    'cluster-wide'
                  )}
                </td>
                <td className="cell-words">
                  <code>{b.roleName}</code> <span className="muted text-small">({b.roleKind})</span>
                </td>
                <td>
                  <Subjects subjects={b.subjects} />
                </td>
                <td>
                  <Time value={b.createdAt} />
                </td>
                <td className="actions">
                  {!b.protected && (
                    <button
                      type="button"
                      className="btn btn--danger-quiet btn--small"
                      aria-label={`Delete binding ${b.name}${b.namespace ? ` in ${b.namespace}` : ''}`}
                      onClick={() => {
                        setProblem(null)
                        setTarget(b)
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={target !== null}
        title={target ? `Delete binding “${target.name}”?` : 'Delete binding?'}
        confirmLabel="Delete binding"
        busy={deleting.fetching}
        problem={problem}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setTarget(null)}
      >
        <p>
          Its subjects lose the rights of <code>{target?.roleName}</code>
          {target?.namespace ? (
            <>
              {' '}
              in namespace <code>{target.namespace}</code>
            </>
          ) : (
            ' on the whole cluster'
          )}{' '}
          at once, unless another binding grants them. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  )
}
