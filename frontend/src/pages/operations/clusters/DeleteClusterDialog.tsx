import { useId, useState } from 'react'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import type { ProblemDescription } from '../../../graphql/errors'

// typedNameMatches tells whether what the user typed names the cluster exactly.
export function typedNameMatches(typed: string, name: string): boolean {
  return name !== '' && typed.trim() === name
}

// DeleteClusterDialog asks for the cluster's name before deleting it: the button stays
// off until the name typed matches.
export function DeleteClusterDialog({
  cluster,
  busy,
  problem,
  onConfirm,
  onCancel,
}: {
  cluster: { id: string; name: string } | null
  busy: boolean
  problem: ProblemDescription | null
  onConfirm: (cluster: { id: string; name: string }) => void
  onCancel: () => void
}) {
  const [typed, setTyped] = useState('')
  const inputId = useId()
  const name = cluster?.name ?? ''
  const matches = typedNameMatches(typed, name)
  const close = () => {
    setTyped('')
    onCancel()
  }
  return (
    <ConfirmDialog
      open={cluster !== null}
      title={`Delete cluster “${name}”?`}
      confirmLabel="Delete cluster"
      busy={busy}
      confirmDisabled={!matches}
      problem={problem}
      onConfirm={() => {
        if (cluster && matches) onConfirm(cluster)
      }}
      onCancel={close}
    >
      <p>
        This starts a job that removes the panel’s bootstrap from <strong>{name}</strong>, deletes its Keystone admin role
        and unregisters it. The cluster’s own machines are left as they are.
      </p>
      <div className="field">
        <label htmlFor={inputId}>
          Type <code>{name}</code> to confirm
        </label>
        <input id={inputId} className="input" autoComplete="off" autoCapitalize="none" spellCheck={false} value={typed} onChange={(e) => setTyped(e.target.value)} />
      </div>
    </ConfirmDialog>
  )
}
