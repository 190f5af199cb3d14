import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { graphql } from '../../../gql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'
import { emptyDraft, protectedNamespaceMessage, validateBinding } from './bindingForm'
import { UserPicker } from './UserPicker'
import type { ChosenUser } from './UserPicker'
import type { BindingDraft, BindingField } from './bindingForm'
import { ProblemAlert } from '../../../components/ProblemAlert'

const BindingOptionsQuery = graphql(`
  query BindingOptions($clusterId: ID) {
    kubernetesRoles(clusterId: $clusterId)
    emptyKubernetesRoles(clusterId: $clusterId)
    keystoneRoles(clusterId: $clusterId) {
      id
      name
    }
  }
`)

const CreateBindingMutation = graphql(`
  mutation CreateBinding($input: CreateBindingInput!) {
    createBinding(input: $input) {
      id
      name
      namespace
      roleKind
      roleName
      subjects {
        kind
        id
        name
        domain
        keystoneId
      }
      protected
      createdAt
    }
  }
`)

// CreateBindingForm grants a Kubernetes role to a Keystone role (a group) or user, cluster-
// wide or in one namespace.
export function CreateBindingForm({
  clusterId,
  protectedNamespaces,
  onCreated,
}: {
  clusterId: string
  protectedNamespaces: readonly string[]
  onCreated: (message: string) => void
}) {
  const [options, refetchOptions] = useQuery({ query: BindingOptionsQuery, variables: { clusterId } })
  const [creating, createBinding] = useMutation(CreateBindingMutation)
  const [draft, setDraft] = useState<BindingDraft>(emptyDraft)
  const [chosenUser, setChosenUser] = useState<ChosenUser | null>(null)
  const [problem, setProblem] = useState<(ProblemDescription & { field?: BindingField }) | null>(null)
  const ids = { name: useId(), namespace: useId(), role: useId(), subject: useId(), scope: useId(), kind: useId() }
  const set = (patch: Partial<BindingDraft>) => setDraft((d) => ({ ...d, ...patch }))
  // Said as soon as the namespace is typed, not only on submit.
  const protectedWarning = draft.scope === 'namespace' ? protectedNamespaceMessage(draft.namespace, protectedNamespaces) : null

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    const check = validateBinding(draft, protectedNamespaces)
    if (!check.ok) {
      setProblem({ message: check.message, code: 'INVALID', field: check.field })
      return
    }
    const result = await createBinding({ input: { clusterId, ...check.request } }, { additionalTypenames: ['RoleBinding'] })
    if (result.error || !result.data) {
      setProblem(result.error ? describeError(result.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    const b = result.data.createBinding
    onCreated(`Binding “${b.name}” created: ${b.roleName} ${b.namespace ? `in namespace ${b.namespace}` : 'on the whole cluster'}.`)
    setDraft(emptyDraft)
    setChosenUser(null)
  }

  if (options.error && !options.data) {
    return (
      <section className="panel" aria-labelledby="create-binding-heading">
        <h2 id="create-binding-heading">New binding</h2>
        <ErrorState error={options.error} title="The roles to choose from could not be loaded" onRetry={() => refetchOptions({ requestPolicy: 'network-only' })} />
      </section>
    )
  }
  if (!options.data) {
    return (
      <section className="panel" aria-labelledby="create-binding-heading">
        <h2 id="create-binding-heading">New binding</h2>
        <Loading label="Loading the roles to choose from…" />
      </section>
    )
  }
  const { kubernetesRoles, emptyKubernetesRoles, keystoneRoles } = options.data
  const grantsNothing = (role: string) => emptyKubernetesRoles.includes(role)
  const invalid = (field: BindingField) => (problem?.field === field ? true : undefined)

  return (
    <section className="panel" aria-labelledby="create-binding-heading">
      <h2 id="create-binding-heading">New binding</h2>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.name}>Binding name</label>
            <input
              id={ids.name}
              className="input"
              required
              maxLength={253}
              autoCapitalize="none"
              spellCheck={false}
              placeholder="e.g. developers-edit"
              aria-invalid={invalid('name')}
              value={draft.name}
              onChange={(e) => set({ name: e.target.value })}
            />
          </div>
          <div className="field field--grow">
            <label htmlFor={ids.role}>Kubernetes role</label>
            <select id={ids.role} className="select" required aria-invalid={invalid('roleName')} value={draft.roleName} onChange={(e) => set({ roleName: e.target.value })}>
              <option value="">Choose a role…</option>
              {kubernetesRoles.map((r) => (
                <option key={r} value={r}>
                  {grantsNothing(r) ? `${r} (grants nothing on this cluster)` : r}
                </option>
              ))}
            </select>
            {draft.roleName && grantsNothing(draft.roleName) && (
              <p className="field__hint field__hint--warning" role="status">
                {draft.roleName} holds no rules on this cluster: a binding to it grants nothing. Aggregated roles (view, edit, admin) get their rules from the
                cluster's controller manager.
              </p>
            )}
          </div>
        </div>

        <div className="form-row">
          <fieldset className="choice-group">
            <legend>Scope</legend>
            <label className="choice">
              <input type="radio" name={ids.scope} checked={draft.scope === 'cluster'} onChange={() => set({ scope: 'cluster' })} />
              Cluster-wide
            </label>
            <label className="choice">
              <input type="radio" name={ids.scope} checked={draft.scope === 'namespace'} onChange={() => set({ scope: 'namespace' })} />
              One namespace
            </label>
          </fieldset>
          {draft.scope === 'namespace' && (
            <div className="field field--grow">
              <label htmlFor={ids.namespace}>Namespace</label>
              <input
                id={ids.namespace}
                className="input"
                required
                maxLength={63}
                autoCapitalize="none"
                spellCheck={false}
                aria-invalid={protectedWarning || problem?.field === 'namespace' ? true : undefined}
                aria-describedby={`${ids.namespace}-hint`}
                value={draft.namespace}
                onChange={(e) => set({ namespace: e.target.value })}
              />
              <span id={`${ids.namespace}-hint`} className="field__hint">
                Not {protectedNamespaces.join(' or ')}: the panel manages them.
              </span>
            </div>
          )}
        </div>
        {protectedWarning && (
          <p className="form-note" role="alert" data-testid="protected-namespace">
            {protectedWarning}
          </p>
        )}

        <div className="form-row">
          <fieldset className="choice-group">
            <legend>Grant it to, in Keystone</legend>
            <label className="choice">
              <input type="radio" name={ids.kind} checked={draft.subjectKind === 'KEYSTONE_ROLE'} onChange={() => set({ subjectKind: 'KEYSTONE_ROLE', subjectId: '' })} />
              A role (a Kubernetes group)
            </label>
            <label className="choice">
              <input type="radio" name={ids.kind} checked={draft.subjectKind === 'KEYSTONE_USER'} onChange={() => {
                  setChosenUser(null)
                  set({ subjectKind: 'KEYSTONE_USER', subjectId: '' })
                }} />
              A user
            </label>
          </fieldset>
          {draft.subjectKind === 'KEYSTONE_ROLE' ? (
            <div className="field field--grow">
              <label htmlFor={ids.subject}>Keystone role</label>
              <select id={ids.subject} className="select" required aria-invalid={invalid('subjectId')} aria-describedby={`${ids.subject}-hint`} value={draft.subjectId} onChange={(e) => set({ subjectId: e.target.value })}>
                <option value="">Choose a Keystone role…</option>
                {keystoneRoles.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
              <span id={`${ids.subject}-hint`} className="field__hint">
                {draft.subjectId ? (
                  <>
                    Everyone holding it; in Kubernetes the group <code>{draft.subjectId}</code>.
                  </>
                ) : (
                  'Everyone holding the role, directly or through a Keystone group.'
                )}
              </span>
            </div>
          ) : (
            <UserPicker
              clusterId={clusterId}
              chosen={chosenUser}
              invalid={problem?.field === 'subjectId'}
              onChoose={(u) => {
                setChosenUser(u)
                set({ subjectId: u?.id ?? '' })
              }}
            />
          )}
        </div>

        <div aria-live="polite">
          <ProblemAlert problem={problem} />
        </div>
        <div>
          <button type="submit" className="btn btn--primary" disabled={creating.fetching || protectedWarning !== null}>
            {creating.fetching ? 'Creating…' : 'Create binding'}
          </button>
        </div>
      </form>
    </section>
  )
}
