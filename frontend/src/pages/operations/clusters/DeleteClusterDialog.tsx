import { useId, useState } from 'react'
import type { ReactNode } from 'react'
import { useNavigate } from 'react-router'
import { useMutation } from 'urql'
import { ConfirmDialog } from '../../../components/ConfirmDialog'
import { graphql } from '../../../gql'
import { describeError } from '../../../graphql/errors'
import type { ProblemDescription } from '../../../graphql/errors'

const DeleteClusterMutation = graphql(`
  mutation DeleteCluster($id: ID!) {
    deleteCluster(id: $id) {
      id
      kind
      status
    }
  }
`)

type ClusterRef = { id: string; name: string }

// useDeleteCluster asks for a cluster's typed name, starts its delete job and opens the
// job's page. ask(cluster) opens the dialog; dialog is the element to render.
export function useDeleteCluster(): { ask: (cluster: ClusterRef) => void; dialog: ReactNode } {
  const navigate = useNavigate()
  const [deleting, setDeleting] = useState<ClusterRef | null>(null)
  const [state, deleteCluster] = useMutation(DeleteClusterMutation)
  const [problem, setProblem] = useState<ProblemDescription | null>(null)

  async function confirm(cluster: ClusterRef) {
    setProblem(null)
    const answer = await deleteCluster({ id: cluster.id }, { additionalTypenames: ['Job', 'Cluster'] })
    if (answer.error || !answer.data) {
      setProblem(answer.error ? describeError(answer.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    setDeleting(null)
    navigate(`/operations/jobs/${encodeURIComponent(answer.data.deleteCluster.id)}`)
  }

  const dialog = (
    <DeleteClusterDialog
      key={deleting?.id ?? ''}
      cluster={deleting}
      busy={state.fetching}
      problem={problem}
      onConfirm={(c) => void confirm(c)}
      onCancel={() => {
        setDeleting(null)
        setProblem(null)
      }}
    />
  )
  const ask = (cluster: ClusterRef) => {
    setProblem(null)
    setDeleting(cluster)
  }
  return { ask, dialog }
}

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
        This starts a job that removes the panel’s bootstrap from <strong>{name}</strong>, the infrastructure the panel
        built for it (local processes, or OpenStack servers, load balancer and network), its Keystone admin role, and
        unregisters it. An adopted cluster’s own machines are left as they are.
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
