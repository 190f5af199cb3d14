import { readFileSync } from 'node:fs'

// The real local clusters global-setup.ts started with kaas-testbed (etcd + kube-apiserver
// each, Velero's CRDs applied, their token webhook pointing at the panel).

// TestbedCluster is one line kaas-testbed prints per cluster.
export interface TestbedCluster {
  name: string
  apiURL: string
  adminKubeconfig: string
}

// testbedClusters reads the clusters global-setup.ts wrote to KAAS_E2E_CLUSTERS_FILE.
export function testbedClusters(): TestbedCluster[] {
  const file = process.env.KAAS_E2E_CLUSTERS_FILE
  if (!file) throw new Error('KAAS_E2E_CLUSTERS_FILE is not set: global-setup.ts did not start kaas-testbed')
  return JSON.parse(readFileSync(file, 'utf8')) as TestbedCluster[]
}

// testbedCluster is the testbed's cluster of that name.
export function testbedCluster(name: string): TestbedCluster {
  const found = testbedClusters().find((c) => c.name === name)
  if (!found) throw new Error(`kaas-testbed started no cluster named ${name}`)
  return found
}
