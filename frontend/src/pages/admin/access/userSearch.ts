// Pure logic of the Keystone user search and of how subjects are named on the Access page.

// USER_PAGE_SIZE is how many users one page of the search shows.
export const USER_PAGE_SIZE = 10

// userLabel names a Keystone user as the panel shows it: "name (domain)".
export function userLabel(user: { name: string; domain: string }): string {
  return `${user.name} (${user.domain})`
}

// pageRange says which users a page shows: "1–10 of 23", "none".
export function pageRange(offset: number, shown: number, total: number): string {
  if (total === 0 || shown === 0) return 'none'
  return `${offset + 1}–${offset + shown} of ${total}`
}

// nextOffset and previousOffset move between pages (null: there is no such page).
export function nextOffset(offset: number, shown: number, total: number, pageSize = USER_PAGE_SIZE): number | null {
  return shown > 0 && offset + shown < total ? offset + pageSize : null
}

export function previousOffset(offset: number, pageSize = USER_PAGE_SIZE): number | null {
  return offset > 0 ? Math.max(0, offset - pageSize) : null
}

// SubjectView is a binding subject as the API gives it.
export interface SubjectView {
  kind: 'KEYSTONE_ROLE' | 'KEYSTONE_USER' | 'OTHER'
  id: string
  name: string | null
  domain: string | null
  keystoneId: string | null
}

// subjectLabel is a subject's visible name: a user's "name (domain)", a role's name, or
// the Kubernetes name of anything else. The IDs are shown on demand, not here.
export function subjectLabel(s: SubjectView): string {
  if (s.kind === 'KEYSTONE_USER' && s.name) return s.domain ? userLabel({ name: s.name, domain: s.domain }) : s.name
  if (s.kind === 'KEYSTONE_ROLE' && s.name) return s.name
  return s.id
}

// subjectIds are the identifiers shown on demand: the Keystone ID and the name Kubernetes
// matches.
export function subjectIds(s: SubjectView): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = []
  if (s.kind === 'KEYSTONE_ROLE') {
    out.push({ label: 'Keystone role ID = Kubernetes group', value: s.keystoneId ?? s.id })
    return out
  }
  if (s.kind === 'KEYSTONE_USER') {
    if (s.keystoneId) out.push({ label: 'Keystone user ID', value: s.keystoneId })
    out.push({ label: 'Kubernetes user', value: s.id })
    return out
  }
  out.push({ label: 'Kubernetes subject', value: s.id })
  return out
}
