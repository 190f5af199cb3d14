import { describe, expect, it } from 'vitest'
import { describeSize, formatGiB, nodeTotals } from './capacity'

const GIB = 1024 ** 3

describe('formatGiB', () => {
  const cases = [
    { name: 'whole GiB', bytes: 16 * GIB, want: '16' },
    { name: 'one decimal', bytes: 15.64 * GIB, want: '15.6' },
    { name: 'under one GiB', bytes: GIB / 2, want: '0.5' },
    { name: 'large values without decimals', bytes: 123.4 * GIB, want: '123' },
    { name: 'zero', bytes: 0, want: '0' },
    { name: 'not a number', bytes: Number.NaN, want: '0' },
  ]
  for (const tc of cases) it(tc.name, () => expect(formatGiB(tc.bytes)).toBe(tc.want))
})

describe('nodeTotals', () => {
  it('is all zero without nodes', () => {
    expect(nodeTotals([])).toEqual({ nodes: 0, ready: 0, vcpu: 0, memoryBytes: 0, storageBytes: 0 })
  })

  it('adds up capacity and counts ready nodes', () => {
    const nodes = [
      { ready: true, vcpu: 4, memoryBytes: 8 * GIB, storageBytes: 40 * GIB },
      { ready: false, vcpu: 4, memoryBytes: 8 * GIB, storageBytes: 40 * GIB },
      { ready: true, vcpu: 2, memoryBytes: 4 * GIB, storageBytes: 20 * GIB },
    ]
    expect(nodeTotals(nodes)).toEqual({ nodes: 3, ready: 2, vcpu: 10, memoryBytes: 20 * GIB, storageBytes: 100 * GIB })
  })
})

describe('describeSize', () => {
  it('describes the default size', () => {
    expect(describeSize({ workers: 3, workerVcpu: 4, workerRamGb: 8, workerDiskGb: 40, registryDbGb: 10 })).toEqual({
      workers: '3 workers × 4 vCPU / 8 GB RAM / 40 GB disk',
      total: '12 vCPU, 24 GB RAM, 120 GB disk in all',
      registry: '10 GB',
    })
  })

  it('says worker for one', () => {
    expect(describeSize({ workers: 1, workerVcpu: 2, workerRamGb: 4, workerDiskGb: 20, registryDbGb: 5 }).workers).toBe(
      '1 worker × 2 vCPU / 4 GB RAM / 20 GB disk',
    )
  })
})
