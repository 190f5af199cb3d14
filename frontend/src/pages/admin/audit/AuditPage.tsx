import { useId, useMemo, useReducer, useState } from 'react'
import type { FormEvent } from 'react'
import { useQuery } from 'urql'
import { EmptyState } from '../../../components/EmptyState'
import { ErrorState } from '../../../components/ErrorState'
import { Loading } from '../../../components/Loading'
import { PageHeader } from '../../../components/PageHeader'
import { AdminOnlyState, RequireClusterAdmin } from '../../../components/Restricted'
import { useViewer } from '../../../components/RequireViewer'
import { Time } from '../../../components/Time'
import { graphql } from '../../../gql'
import type { AuditPageQuery } from '../../../gql/graphql'
import { isForbidden } from '../../../graphql/errors'
import { auditFilter, auditPaging, currentBefore, firstPage, resultTone } from './audit'
import type { AuditFilterForm } from './audit'

const AuditPageQueryDoc = graphql(`
  query AuditPage($filter: AuditFilter, $first: Int, $before: ID) {
    auditEntries(filter: $filter, first: $first, before: $before) {
      entries {
        id
        at
        actorId
        actorName
        action
        clusterId
        clusterName
        target
        result
        detail
      }
      nextBefore
    }
  }
`)

const TITLE = 'Audit'
export const PAGE_SIZE = 50

type Entry = AuditPageQuery['auditEntries']['entries'][number]

function AuditTable({ entries }: { entries: readonly Entry[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="audit-table">
        <caption className="visually-hidden">Audit trail, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Cluster</th>
            <th scope="col">Target</th>
            <th scope="col">Result</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>
                <Time value={e.at} />
              </td>
              <td>
                <span title={`Keystone user ID ${e.actorId}`}>{e.actorName || e.actorId}</span>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.clusterName ?? e.clusterId ?? <span className="muted">—</span>}</td>
              <td>{e.target || <span className="muted">—</span>}</td>
              <td>
                <span className={`badge badge--${resultTone(e.result)}`}>{e.result}</span>
              </td>
              <td>{e.detail || <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function AuditContent() {
  const viewer = useViewer()
  const clusterId = viewer.activeCluster?.id ?? null
  const ids = { action: useId(), actor: useId(), all: useId(), actions: useId() }
  // An operator without an active cluster starts with every cluster: there is no other.
  const initial: AuditFilterForm = { action: '', actor: '', all: viewer.isOperator && !viewer.activeCluster }
  const [form, setForm] = useState<AuditFilterForm>(initial)
  const [applied, setApplied] = useState<AuditFilterForm>(initial)
  const [paging, dispatch] = useReducer(auditPaging, firstPage)
  const variables = useMemo(
    () => ({ filter: auditFilter(applied, viewer.isOperator, clusterId), first: PAGE_SIZE, before: currentBefore(paging) }),
    [applied, paging, viewer.isOperator, clusterId],
  )
  const [result, refetch] = useQuery({ query: AuditPageQueryDoc, variables })
  const page = result.data?.auditEntries
  const actions = useMemo(() => [...new Set(page?.entries.map((e) => e.action) ?? [])].sort(), [page])

  function apply(next: AuditFilterForm) {
    setApplied(next)
    dispatch({ type: 'newest' })
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    apply(form)
  }

  const scope = applied.all && viewer.isOperator ? 'all clusters' : viewer.activeCluster ? `cluster ${viewer.activeCluster.name}` : 'no cluster'

  let body
  if (result.error && !page) {
    body = isForbidden(result.error) ? (
      <AdminOnlyState clusterName={viewer.activeCluster?.name ?? null} />
    ) : (
      <ErrorState error={result.error} title="The audit trail could not be loaded" onRetry={() => refetch({ requestPolicy: 'network-only' })} />
    )
  } else if (!page) {
    body = <Loading label="Loading the audit trail…" />
  } else if (page.entries.length === 0) {
    body = (
      <EmptyState title={paging.cursors.length > 1 ? 'No older entries' : 'No entries match'}>
        {applied.action || applied.actor ? 'Clear the filters to see every entry.' : 'Token changes, logins, admin and provisioning actions are recorded here as they happen.'}
      </EmptyState>
    )
  } else {
    body = <AuditTable entries={page.entries} />
  }

  return (
    <div className="page">
      <PageHeader title={TITLE} description="Who did what, when, on which cluster, and how it ended: token changes, logins, admin and provisioning actions." />
      <form className="panel form" noValidate onSubmit={onSubmit} aria-label="Filter the audit trail">
        <div className="form-row">
          <div className="field field--grow">
            <label htmlFor={ids.action}>Action</label>
            <input
              id={ids.action}
              className="input"
              list={ids.actions}
              autoCapitalize="none"
              spellCheck={false}
              placeholder="e.g. token.create"
              value={form.action}
              onChange={(e) => setForm({ ...form, action: e.target.value })}
            />
            <datalist id={ids.actions}>
              {actions.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </div>
          <div className="field field--grow">
            <label htmlFor={ids.actor}>Who</label>
            <input
              id={ids.actor}
              className="input"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="user name, e.g. alice"
              value={form.actor}
              onChange={(e) => setForm({ ...form, actor: e.target.value })}
            />
          </div>
          <button type="submit" className="btn btn--primary">
            Filter
          </button>
          {(applied.action || applied.actor) && (
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => {
                const cleared = { ...form, action: '', actor: '' }
                setForm(cleared)
                apply(cleared)
              }}
            >
              Clear
            </button>
          )}
        </div>
        {viewer.isOperator && (
          <label className="choice" htmlFor={ids.all}>
            <input
              id={ids.all}
              type="checkbox"
              // Without an active cluster there is nothing else to show.
              disabled={clusterId === null}
              checked={form.all}
              onChange={(e) => {
                const next = { ...form, all: e.target.checked }
                setForm(next)
                apply(next)
              }}
            />
            All clusters <span className="muted">(operators: every entry, also those on no cluster)</span>
          </label>
        )}
      </form>
      <section aria-labelledby="audit-heading" className="stack">
        <div className="section-header">
          <h2 id="audit-heading">Entries for {scope}</h2>
          <div className="row">
            <button type="button" className="btn btn--secondary btn--small" disabled={paging.cursors.length <= 1} onClick={() => dispatch({ type: 'newest' })}>
              Newest
            </button>
            <button type="button" className="btn btn--secondary btn--small" disabled={paging.cursors.length <= 1} onClick={() => dispatch({ type: 'newer' })}>
              Newer
            </button>
            <button
              type="button"
              className="btn btn--secondary btn--small"
              disabled={!page?.nextBefore || result.fetching}
              onClick={() => page?.nextBefore && dispatch({ type: 'older', nextBefore: page.nextBefore })}
            >
              Older
            </button>
          </div>
        </div>
        {body}
      </section>
    </div>
  )
}

// AuditPage (/admin/audit) lists the audit trail: the active cluster's for its admins,
// any cluster's (or all) for operators.
export function AuditPage() {
  return (
    <RequireClusterAdmin title={TITLE} allowOperator>
      <AuditContent />
    </RequireClusterAdmin>
  )
}
