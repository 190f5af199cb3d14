import type { AuditFilter } from '../../../gql/graphql'

// Pure logic of the audit page: the filter sent to the server and the paging.

// AuditFilterForm is the filter as typed.
export interface AuditFilterForm {
  action: string
  actor: string
  all: boolean
}

// auditFilter turns the form into the API's filter: blanks are dropped; "all clusters"
// goes along for operators only (the server refuses it to anyone else); otherwise the
// filter names the active cluster, which lets an operator who is no admin of it read its
// entries too.
export function auditFilter(form: AuditFilterForm, isOperator: boolean, clusterId: string | null): AuditFilter {
  const filter: AuditFilter = {}
  const action = form.action.trim()
  const actor = form.actor.trim()
  if (action !== '') filter.action = action
  if (actor !== '') filter.actor = actor
  if (isOperator && form.all) filter.all = true
  else if (clusterId !== null) filter.clusterId = clusterId
  return filter
}

// resultTone is the badge tone of an entry's result: ok, or an error code.
export function resultTone(result: string): 'success' | 'danger' {
  return result.toLowerCase() === 'ok' ? 'success' : 'danger'
}

// AuditPaging is where the reader is in the trail: the cursors ("before") of the pages
// they went through, the newest page first (null).
export interface AuditPaging {
  cursors: (string | null)[]
}

export const firstPage: AuditPaging = { cursors: [null] }

export type AuditPagingEvent = { type: 'older'; nextBefore: string } | { type: 'newer' } | { type: 'newest' }

// auditPaging moves through the pages.
export function auditPaging(state: AuditPaging, event: AuditPagingEvent): AuditPaging {
  switch (event.type) {
    case 'older':
      return { cursors: [...state.cursors, event.nextBefore] }
    case 'newer':
      return state.cursors.length > 1 ? { cursors: state.cursors.slice(0, -1) } : state
    case 'newest':
      return firstPage
  }
}

// currentBefore is the cursor of the page shown.
export function currentBefore(state: AuditPaging): string | null {
  return state.cursors[state.cursors.length - 1] ?? null
}
