import { useId, useState } from 'react'
import type { FormEvent } from 'react'
import { useClient } from 'urql'
import { graphql } from '../../gql'
import { describeError } from '../../graphql/errors'
import type { ProblemDescription } from '../../graphql/errors'
import { ProblemAlert } from '../../components/ProblemAlert'

const CreateTokenMutation = graphql(`
  mutation CreateToken($input: CreateTokenInput!) {
    createToken(input: $input) {
      secret
      token {
        id
        name
        prefix
        createdAt
        expiresAt
        lastUsedAt
        lastUsedCluster
      }
    }
  }
`)

// CreatedSecret is a token just made, with the secret shown this once.
export interface CreatedSecret {
  secret: string
  name: string
  prefix: string
  expiresAt: string
}

export const MAX_LIFETIME_DAYS = 365

// validateLifetime checks the lifetime field; it returns an error message or null.
export function validateLifetime(text: string): string | null {
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number of days.'
  const days = Number(text)
  if (days < 1 || days > MAX_LIFETIME_DAYS) return `Choose between 1 and ${MAX_LIFETIME_DAYS} days.`
  return null
}

// CreateTokenForm names a new token and chooses its lifetime.
export function CreateTokenForm({ onCreated }: { onCreated: (created: CreatedSecret) => void }) {
  // Not useMutation: it would keep the last result, secret included, in its state for as
  // long as the form lives. The secret goes only to onCreated.
  const client = useClient()
  const [fetching, setFetching] = useState(false)
  const [name, setName] = useState('')
  const [lifetime, setLifetime] = useState(String(MAX_LIFETIME_DAYS))
  const [problem, setProblem] = useState<ProblemDescription | null>(null)
  const ids = { name: useId(), lifetime: useId() }
  const lifetimeError = validateLifetime(lifetime)

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    setProblem(null)
    if (name.trim() === '') {
      setProblem({ message: 'Give the token a name, for example the laptop or script that will use it.', code: 'INVALID' })
      return
    }
    if (lifetimeError) {
      setProblem({ message: lifetimeError, code: 'INVALID' })
      return
    }
    setFetching(true)
    const result = await client
      .mutation(CreateTokenMutation, { input: { name: name.trim(), lifetimeDays: Number(lifetime) } }, { additionalTypenames: ['Token'] })
      .toPromise()
    setFetching(false)
    if (result.error || !result.data) {
      setProblem(result.error ? describeError(result.error) : { message: 'No answer from the server.', code: 'UNKNOWN' })
      return
    }
    const { secret, token } = result.data.createToken
    onCreated({ secret, name: token.name, prefix: token.prefix, expiresAt: token.expiresAt })
    setName('')
    setLifetime(String(MAX_LIFETIME_DAYS))
  }

  return (
    <section className="panel" aria-labelledby="create-token-heading">
      <h2 id="create-token-heading">Create a token</h2>
      <form className="form" noValidate onSubmit={(e) => void onSubmit(e)}>
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.name}>Name</label>
            <input
              id={ids.name}
              className="input"
              name="name"
              required
              maxLength={100}
              placeholder="e.g. laptop, ci-deploy"
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.lifetime}>Lifetime (days)</label>
            <input
              id={ids.lifetime}
              className="input"
              name="lifetimeDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_LIFETIME_DAYS}
              step={1}
              required
              aria-invalid={lifetimeError ? true : undefined}
              aria-describedby={`${ids.lifetime}-hint`}
              value={lifetime}
              onChange={(e) => setLifetime(e.target.value)}
            />
            <span id={`${ids.lifetime}-hint`} className="field__hint">
              1 to {MAX_LIFETIME_DAYS} days (one year at most).
            </span>
          </div>
          <button type="submit" className="btn btn--primary" disabled={fetching}>
            {fetching ? 'Creating…' : 'Create token'}
          </button>
        </div>
        <div aria-live="polite">
          <ProblemAlert problem={problem} />
        </div>
      </form>
    </section>
  )
}
