import { describe, expect, it } from 'vitest'
import { emptyDraft, protectedNamespaceMessage, subjectKindLabel, validateBinding } from './bindingForm'
import type { BindingDraft } from './bindingForm'

const PROTECTED = ['kube-system', 'kaas-system']
const good: BindingDraft = { ...emptyDraft, name: 'developers-edit', roleName: 'edit', subjectKind: 'KEYSTONE_ROLE', subjectId: 'r-123' }

describe('protectedNamespaceMessage', () => {
  const cases = [
    { name: 'kube-system', ns: 'kube-system', protectedNs: true },
    { name: 'kaas-system', ns: 'kaas-system', protectedNs: true },
    { name: 'ignores case and blanks', ns: '  Kube-System ', protectedNs: true },
    { name: 'another namespace', ns: 'team-a', protectedNs: false },
    { name: 'a prefix is no match', ns: 'kube-system-x', protectedNs: false },
    { name: 'empty', ns: '', protectedNs: false },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const message = protectedNamespaceMessage(tc.ns, PROTECTED)
      if (tc.protectedNs) expect(message).toMatch(/is managed by the panel/)
      else expect(message).toBeNull()
    })
  }
})

describe('validateBinding', () => {
  it('makes a cluster-wide binding for a Keystone role', () => {
    expect(validateBinding({ ...good, name: ' developers-edit ' }, PROTECTED)).toEqual({
      ok: true,
      request: { name: 'developers-edit', namespace: null, roleName: 'edit', subjectKind: 'KEYSTONE_ROLE', subjectId: 'r-123' },
    })
  })

  it('makes a namespaced binding for a Keystone user', () => {
    const check = validateBinding({ ...good, scope: 'namespace', namespace: 'team-a', subjectKind: 'KEYSTONE_USER', subjectId: ' u-42 ' }, PROTECTED)
    expect(check).toEqual({
      ok: true,
      request: { name: 'developers-edit', namespace: 'team-a', roleName: 'edit', subjectKind: 'KEYSTONE_USER', subjectId: 'u-42' },
    })
  })

  it('ignores the namespace field of a cluster-wide binding', () => {
    const check = validateBinding({ ...good, scope: 'cluster', namespace: 'kube-system' }, PROTECTED)
    expect(check.ok && check.request.namespace).toBeNull()
  })

  const refused: { name: string; draft: BindingDraft; field: string; message: RegExp }[] = [
    { name: 'no name', draft: { ...good, name: '  ' }, field: 'name', message: /Give the binding a name/ },
    { name: 'upper-case name', draft: { ...good, name: 'Devs' }, field: 'name', message: /lowercase/ },
    { name: 'name with a colon', draft: { ...good, name: 'kaas:devs' }, field: 'name', message: /lowercase/ },
    { name: 'name ending in -', draft: { ...good, name: 'devs-' }, field: 'name', message: /lowercase/ },
    { name: 'name too long', draft: { ...good, name: 'a'.repeat(254) }, field: 'name', message: /lowercase/ },
    { name: 'no namespace', draft: { ...good, scope: 'namespace', namespace: '' }, field: 'namespace', message: /Enter the namespace/ },
    { name: 'namespace with a dot', draft: { ...good, scope: 'namespace', namespace: 'a.b' }, field: 'namespace', message: /DNS label/ },
    { name: 'protected kube-system', draft: { ...good, scope: 'namespace', namespace: 'kube-system' }, field: 'namespace', message: /kube-system is managed by the panel/ },
    { name: 'protected kaas-system', draft: { ...good, scope: 'namespace', namespace: 'kaas-system' }, field: 'namespace', message: /kaas-system is managed by the panel/ },
    { name: 'no Kubernetes role', draft: { ...good, roleName: '' }, field: 'roleName', message: /Kubernetes role/ },
    { name: 'no Keystone role', draft: { ...good, subjectId: '' }, field: 'subjectId', message: /Keystone role/ },
    { name: 'no Keystone user', draft: { ...good, subjectKind: 'KEYSTONE_USER', subjectId: ' ' }, field: 'subjectId', message: /choose the Keystone user/ },
  ]
  for (const tc of refused) {
    it(`refuses ${tc.name}`, () => {
      const check = validateBinding(tc.draft, PROTECTED)
      expect(check.ok).toBe(false)
      if (!check.ok) {
        expect(check.field).toBe(tc.field)
        expect(check.message).toMatch(tc.message)
      }
    })
  }

  it('uses the cluster’s own list of protected namespaces', () => {
    expect(validateBinding({ ...good, scope: 'namespace', namespace: 'kube-system' }, []).ok).toBe(true)
  })
})

describe('subjectKindLabel', () => {
  it('says that Keystone roles are groups', () => {
    expect(subjectKindLabel('KEYSTONE_ROLE')).toBe('Keystone role (group)')
    expect(subjectKindLabel('KEYSTONE_USER')).toBe('Keystone user')
    expect(subjectKindLabel('OTHER')).toBe('other')
  })
})
