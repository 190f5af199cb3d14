import { describe, expect, it } from 'vitest'
import { DRIVER_LABELS, SIZE_FIELDS, sizeProblem } from './ProvisionClusterForm'

const defaults = () => Object.fromEntries(SIZE_FIELDS.map((f) => [f.key, String(f.def)]))

describe('sizeProblem', () => {
  it('accepts the defaults', () => {
    expect(sizeProblem(defaults())).toBeNull()
  })
  it.each([
    ['workers', '0', 'Workers: a whole number from 1 to 100.'],
    ['workers', '101', 'Workers: a whole number from 1 to 100.'],
    ['workers', '2.5', 'Workers: a whole number from 1 to 100.'],
    ['workerVcpu', '', 'vCPUs per worker: a whole number from 1 to 256.'],
    ['workerDiskGb', '5', 'Disk per worker (GB): a whole number from 10 to 16384.'],
  ])('refuses %s = %j', (key, value, message) => {
    expect(sizeProblem({ ...defaults(), [key]: value })).toBe(message)
  })
})

describe('DRIVER_LABELS', () => {
  it('names every driver', () => {
    expect(Object.keys(DRIVER_LABELS).sort()).toEqual(['EXISTING', 'LOCAL', 'OPENSTACK'])
  })
})
