import { describe, expect, it } from 'vitest'
import { auditFilter, auditPaging, currentBefore, firstPage, resultTone } from './audit'

describe('auditFilter', () => {
  it('drops blanks and names the active cluster', () => {
    expect(auditFilter({ action: '  ', actor: '', all: false }, false, 'c1')).toEqual({ clusterId: 'c1' })
  })
  it('trims what is typed', () => {
    expect(auditFilter({ action: ' token.create ', actor: ' alice', all: false }, false, 'c1')).toEqual({ action: 'token.create', actor: 'alice', clusterId: 'c1' })
  })
  it('asks for every cluster for operators only', () => {
    expect(auditFilter({ action: '', actor: '', all: true }, true, 'c1')).toEqual({ all: true })
    expect(auditFilter({ action: '', actor: '', all: true }, false, 'c1')).toEqual({ clusterId: 'c1' })
  })
  it('leaves the cluster to the server when there is none', () => {
    expect(auditFilter({ action: '', actor: '', all: false }, true, null)).toEqual({})
  })
})

describe('resultTone', () => {
  it('is success for ok and danger for an error code', () => {
    expect(resultTone('ok')).toBe('success')
    expect(resultTone('FORBIDDEN')).toBe('danger')
    expect(resultTone('UNAUTHENTICATED')).toBe('danger')
  })
})

describe('auditPaging', () => {
  it('goes older, back newer and to the newest', () => {
    let s = firstPage
    expect(currentBefore(s)).toBeNull()
    s = auditPaging(s, { type: 'older', nextBefore: 'e50' })
    s = auditPaging(s, { type: 'older', nextBefore: 'e100' })
    expect(currentBefore(s)).toBe('e100')
    s = auditPaging(s, { type: 'newer' })
    expect(currentBefore(s)).toBe('e50')
    s = auditPaging(s, { type: 'newer' })
    expect(currentBefore(s)).toBeNull()
    expect(auditPaging(s, { type: 'newer' })).toBe(s)
    s = auditPaging(auditPaging(s, { type: 'older', nextBefore: 'x' }), { type: 'newest' })
    expect(s).toEqual(firstPage)
  })
})
