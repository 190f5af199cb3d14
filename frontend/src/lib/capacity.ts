// Pure logic for a cluster's capacity: node totals, binary units and the provisioned size.

const GIB = 1024 ** 3

// formatGiB shows bytes in GiB with at most one decimal ("15.6", "16", "0.5").
export function formatGiB(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0'
  const gib = bytes / GIB
  const text = gib >= 100 ? gib.toFixed(0) : gib.toFixed(1)
  return text.endsWith('.0') ? text.slice(0, -2) : text
}

// NodeCapacity is what the totals need of a node.
export interface NodeCapacity {
  ready: boolean
  vcpu: number
  memoryBytes: number
  storageBytes: number
}

// NodeTotals sums the nodes of a cluster.
export interface NodeTotals {
  nodes: number
  ready: number
  vcpu: number
  memoryBytes: number
  storageBytes: number
}

// nodeTotals adds up the nodes' capacity and counts the ready ones.
export function nodeTotals(nodes: readonly NodeCapacity[]): NodeTotals {
  return nodes.reduce<NodeTotals>(
    (t, n) => ({
      nodes: t.nodes + 1,
      ready: t.ready + (n.ready ? 1 : 0),
      vcpu: t.vcpu + n.vcpu,
      memoryBytes: t.memoryBytes + n.memoryBytes,
      storageBytes: t.storageBytes + n.storageBytes,
    }),
    { nodes: 0, ready: 0, vcpu: 0, memoryBytes: 0, storageBytes: 0 },
  )
}

// ClusterSize is a cluster's provisioned size, as the API gives it.
export interface ClusterSize {
  workers: number
  workerVcpu: number
  workerRamGb: number
  workerDiskGb: number
  registryDbGb: number
}

// describeSize puts the provisioned size into words: each worker, all workers together
// and the registry's database.
export function describeSize(size: ClusterSize): { workers: string; total: string; registry: string } {
  const w = size.workers
  return {
    workers: `${w} ${w === 1 ? 'worker' : 'workers'} × ${size.workerVcpu} vCPU / ${size.workerRamGb} GB RAM / ${size.workerDiskGb} GB disk`,
    total: `${w * size.workerVcpu} vCPU, ${w * size.workerRamGb} GB RAM, ${w * size.workerDiskGb} GB disk in all`,
    registry: `${size.registryDbGb} GB`,
  }
}
