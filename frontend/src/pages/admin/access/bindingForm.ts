import type { SubjectKind } from '../../../gql/graphql'

// Pure logic of the create-binding form: what the admin typed, checked before anything
// goes to the server (which checks it all again).

// BindingDraft is the form as typed.
export interface BindingDraft {
  name: string
  scope: 'cluster' | 'namespace'
  namespace: string
  roleName: string
  subjectKind: Extract<SubjectKind, 'KEYSTONE_ROLE' | 'KEYSTONE_USER'>
  subjectId: string
}

export const emptyDraft: BindingDraft = {
  name: '',
  scope: 'cluster',
  namespace: '',
  roleName: '',
  subjectKind: 'KEYSTONE_ROLE',
  subjectId: '',
}

// BindingRequest is what createBinding gets (without the cluster).
export interface BindingRequest {
  name: string
  namespace: string | null
  roleName: string
  subjectKind: SubjectKind
  subjectId: string
}

export type BindingField = 'name' | 'namespace' | 'roleName' | 'subjectId'

export type BindingCheck = { ok: true; request: BindingRequest } | { ok: false; field: BindingField; message: string }

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

// protectedNamespaceMessage is the inline warning for a namespace the panel manages
// (kube-system, kaas-system), or null for any other namespace.
export function protectedNamespaceMessage(namespace: string, protectedNamespaces: readonly string[]): string | null {
  const ns = namespace.trim().toLowerCase()
  if (ns === '' || !protectedNamespaces.includes(ns)) return null
  return `Namespace ${ns} is managed by the panel: it refuses bindings there. Choose another namespace, or make the binding cluster-wide.`
}

// validateBinding checks a draft against Kubernetes' naming rules and the protected
// namespaces, and turns it into the request.
export function validateBinding(draft: BindingDraft, protectedNamespaces: readonly string[]): BindingCheck {
  const name = draft.name.trim()
  if (name === '') return { ok: false, field: 'name', message: 'Give the binding a name, e.g. developers-edit.' }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return { ok: false, field: 'name', message: 'The name may hold lowercase letters, digits, “-” and “.”, and starts and ends with a letter or digit.' }
  }
  let namespace: string | null = null
  if (draft.scope === 'namespace') {
    const ns = draft.namespace.trim()
    if (ns === '') return { ok: false, field: 'namespace', message: 'Enter the namespace, or make the binding cluster-wide.' }
    if (ns.length > 63 || !DNS_LABEL.test(ns)) {
      return { ok: false, field: 'namespace', message: 'A namespace is a DNS label: lowercase letters, digits and “-”, at most 63 characters.' }
    }
    const protectedMessage = protectedNamespaceMessage(ns, protectedNamespaces)
    if (protectedMessage) return { ok: false, field: 'namespace', message: protectedMessage }
    namespace = ns
  }
  if (draft.roleName === '') return { ok: false, field: 'roleName', message: 'Choose the Kubernetes role to grant.' }
  const subjectId = draft.subjectId.trim()
  if (subjectId === '') {
    return {
      ok: false,
      field: 'subjectId',
      message: draft.subjectKind === 'KEYSTONE_ROLE' ? 'Choose the Keystone role that gets the rights.' : 'Find and choose the Keystone user that gets the rights.',
    }
  }
  return { ok: true, request: { name, namespace, roleName: draft.roleName, subjectKind: draft.subjectKind, subjectId } }
}

// subjectKindLabel names a subject's kind in the panel's words.
export function subjectKindLabel(kind: SubjectKind): string {
  switch (kind) {
    case 'KEYSTONE_ROLE':
      return 'Keystone role (group)'
    case 'KEYSTONE_USER':
      return 'Keystone user'
    default:
      return 'other'
  }
}
