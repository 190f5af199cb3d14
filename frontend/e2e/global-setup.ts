import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdirSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { KIND, recordKubeconfig } from './ledger.ts'
import type { TestbedCluster } from './testbed.ts'

// freePort asks the OS for a free loopback port.
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.unref()
    server.on('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? done(port) : fail(new Error('no port'))))
    })
  })
}

// executable checks that the variable names an executable file and returns its path.
function executable(variable: string, value: string, hint: string): string {
  const path = resolve(value)
  try {
    if (!statSync(path).isFile()) throw new Error('not a file')
    accessSync(path, constants.X_OK)
  } catch (err) {
    throw new Error(`${variable}=${value} is not an executable file (${(err as Error).message}). ${hint}`)
  }
  return path
}

function tail(path: string, lines = 40): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

// waitReady polls /readyz until it answers 200, the process exits or the deadline passes.
async function waitReady(baseURL: string, exited: () => string | null, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs
  let last = 'no answer yet'
  while (Date.now() < deadline) {
    const gone = exited()
    if (gone) throw new Error(`the panel server ${gone} before it was ready`)
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2000) })
      if (res.ok) return
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`
    } catch (err) {
      last = String(err)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the panel server was not ready within ${deadlineMs / 1000}s (last /readyz: ${last})`)
}

// logDir is where this run's server logs go: browser/ under KAAS_TEST_LOG_DIR (set by
// scripts/test.sh, scanned for secrets at the end of the run), else the given directory.
function logDir(fallback: string): string {
  const root = process.env.KAAS_TEST_LOG_DIR
  if (!root) return fallback
  const dir = join(root, 'browser')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

// globalSetup starts the fake OpenStack cloud (kaas-testbed --openstack-fake), then the
// panel binary named by KAAS_BIN on a free port with a fresh data directory, inheriting the
// environment (the OS_* variables that name the Keystone) and with its OPENSTACK driver on
// that cloud, hands its URL to the tests in KAAS_E2E_BASE_URL, and last starts the local
// clusters (kaas-testbed) wired to it.
export default async function globalSetup(): Promise<void> {
  const bin = process.env.KAAS_BIN
  if (!bin) {
    throw new Error(
      'KAAS_BIN is not set. The end-to-end tests run the real panel, built with its fault-injection switch: build it and set KAAS_BIN to the binary, e.g. `go build -tags faultinject -o /tmp/kaas . && KAAS_BIN=/tmp/kaas npm run e2e` (the Makefile does this, with a Keystone).',
    )
  }
  const binPath = executable('KAAS_BIN', bin, 'Build the panel first.')
  // The cluster specs need real clusters: check for the testbed before starting anything.
  const testbed = testbedCommand()

  // The FAKE OpenStack cloud comes first: the panel's openstack driver needs its region in
  // Keystone's catalog, its load balancer's port and a TLS webhook listener.
  const cloud = await startFakeCloud(testbed)

  const port = await freePort()
  const webhookPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'kaas-e2e-'))
  const logPath = join(logDir(dataDir), 'server.log')
  const log = openSync(logPath, 'a')
  // The first login wait is 30 s, longer than any sign-in takes on a loaded machine, so
  // the sixth wrong password is refused whatever the pace of the first five.
  // Each provisioning step is held open 1.5 s (a flag of the faultinject test build), so that a browser test
  // can reload the page while a job is still running.
  // The OPENSTACK driver builds on the fake cloud (resize.spec.ts); the webhook's TLS
  // listener is what the driver hands its clusters (the specs' own token reviews keep
  // using the panel's plain /authenticate).
  const openstack = [
    '--openstack-image', 'img-kaas-node', '--openstack-region', cloud.region, '--openstack-external-network', 'ext-net',
    '--openstack-subnet-cidr', '10.20.0.0/24', '--openstack-masters', '1', '--openstack-api-port', String(cloud.apiPort),
    '--webhook-addr', `127.0.0.1:${webhookPort}`, '--webhook-tls-cert', cloud.webhookTLSCert, '--webhook-tls-key', cloud.webhookTLSKey,
  ]
  const child = spawn(binPath, ['--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--fault-pause-after-step', '1500ms', '--role-scope', 'project:demo@Default', '--login-backoff-base', '30s', ...openstack], {
    env: process.env,
    stdio: ['ignore', log, log],
  })
  let exited: string | null = null
  child.on('exit', (code, signal) => {
    exited = `exited (${signal ?? `code ${code}`})`
  })
  child.on('error', (err) => {
    exited = `failed to start (${err.message})`
  })

  const baseURL = `http://127.0.0.1:${port}`
  try {
    await waitReady(baseURL, () => exited, 30_000)
  } catch (err) {
    child.kill('SIGKILL')
    await stopChild(cloud.child)
    throw new Error(`${(err as Error).message}\n--- ${logPath} ---\n${tail(logPath)}`)
  }
  process.env.KAAS_E2E_BASE_URL = baseURL
  process.env.KAAS_E2E_PID = String(child.pid)
  process.env.KAAS_E2E_SERVER_LOG = logPath
  process.env.KAAS_E2E_DATA_DIR = dataDir
  console.log(`panel server ${binPath} ready at ${baseURL} (log: ${logPath})`)

  try {
    await startTestbed(testbed, baseURL, dataDir)
  } catch (err) {
    child.kill('SIGTERM')
    await stopChild(cloud.child)
    throw err
  }
}

// FakeCloud is what kaas-testbed --openstack-fake prints once its cloud is ready.
interface FakeCloud {
  region: string
  apiPort: number
  webhookTLSCert: string
  webhookTLSKey: string
  child: ChildProcess
}

// startFakeCloud starts kaas-testbed --openstack-fake: a FAKE OpenStack cloud registered in
// the test Keystone (OS_* of the environment) under a fresh region, its clusters' load
// balancer on a free port, and the first master of every cluster the panel builds there
// PLAYED by a real etcd and kube-apiserver. Teardown stops it (KAAS_E2E_CLOUD_PID), which
// removes the region's endpoints from Keystone again.
async function startFakeCloud(cmd: TestbedCommand): Promise<FakeCloud> {
  const dir = mkdtempSync(join(tmpdir(), 'kaas-e2e-cloud-'))
  const logPath = join(logDir(dir), 'fake-cloud.log')
  const log = openSync(logPath, 'a')
  const region = `e2e-region-${randomBytes(4).toString('hex')}`
  const args = ['--openstack-fake', region, '--lb-port', String(await freePort()), '--bin-dir', cmd.binDir, '--dir', dir]
  const started = Date.now()
  const child = spawn(cmd.bin, args, { env: process.env, stdio: ['ignore', 'pipe', log] })
  process.env.KAAS_E2E_CLOUD_DIR = dir
  process.env.KAAS_E2E_CLOUD_LOG = logPath
  if (child.pid) process.env.KAAS_E2E_CLOUD_PID = String(child.pid)
  let lines: Record<string, unknown>[]
  try {
    lines = await readReady(child, 30_000, (v) => typeof v.region === 'string' && typeof v.apiPort === 'number')
  } catch (err) {
    await stopChild(child)
    throw new Error(`kaas-testbed ${args.join(' ')}: ${(err as Error).message}\n--- its stderr (${logPath}) ---\n${tail(logPath)}`)
  }
  const cloud = lines[0] as unknown as Omit<FakeCloud, 'child'> | undefined
  if (!cloud || cloud.region !== region) {
    await stopChild(child)
    throw new Error(`kaas-testbed --openstack-fake said ready without its cloud\n--- its stderr ---\n${tail(logPath)}`)
  }
  console.log(`fake OpenStack cloud ready in ${((Date.now() - started) / 1000).toFixed(1)}s: region ${region}, load balancer on 127.0.0.1:${cloud.apiPort} (log: ${logPath})`)
  return { ...cloud, child }
}

interface TestbedCommand {
  bin: string
  binDir: string
  crds: string
}

// testbedCommand reads KAAS_TESTBED_BIN and KAAS_KUBE_BIN_DIR. Both are required: the
// browser tests of the cluster pages run against real clusters and are never skipped.
function testbedCommand(): TestbedCommand {
  const bin = process.env.KAAS_TESTBED_BIN
  if (!bin) {
    throw new Error(
      'KAAS_TESTBED_BIN is not set. The browser tests of the cluster pages run against real local clusters: build the testbed and set it, e.g. `go build -o bin/kaas-testbed ./cmd/kaas-testbed && KAAS_TESTBED_BIN=$PWD/bin/kaas-testbed npm run e2e` (`make test` does this).',
    )
  }
  const binDir = process.env.KAAS_KUBE_BIN_DIR
  if (!binDir) {
    throw new Error('KAAS_KUBE_BIN_DIR is not set: it names the directory with etcd, kube-apiserver and kubectl (`. .state/test-env.sh` sets it; `make kube` builds them).')
  }
  const crds = resolve(dirname(fileURLToPath(import.meta.url)), '../../e2e/testdata/velero-crds.yaml')
  try {
    statSync(crds)
  } catch {
    throw new Error(`the Velero CRDs for the test clusters are missing: ${crds}`)
  }
  return { bin: executable('KAAS_TESTBED_BIN', bin, 'Build it with `go build -o bin/kaas-testbed ./cmd/kaas-testbed`.'), binDir, crds }
}

// TESTBED_CLUSTERS are the clusters the testbed starts (the specs adopt alpha and beta
// and provision gamma).
const TESTBED_CLUSTERS = ['alpha', 'beta', 'gamma']
const TESTBED_DEADLINE_MS = 120_000

// startTestbed starts kaas-testbed (real etcd + kube-apiserver per cluster, their token
// webhook pointing at the panel) and waits for its {"ready":true} line. The clusters it
// printed go to a JSON file named by KAAS_E2E_CLUSTERS_FILE (see testbed.ts).
async function startTestbed(cmd: TestbedCommand, panelURL: string, panelDataDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kaas-e2e-testbed-'))
  const logPath = join(logDir(dir), 'testbed.log')
  const log = openSync(logPath, 'a')
  const args = ['--bin-dir', cmd.binDir, '--dir', dir, '--panel', panelURL, '--clusters', TESTBED_CLUSTERS.join(','), '--apply', cmd.crds]
  const started = Date.now()
  const child = spawn(cmd.bin, args, { env: process.env, stdio: ['ignore', 'pipe', log] })
  // Teardown needs these even when the start fails half way.
  process.env.KAAS_E2E_TESTBED_DIR = dir
  process.env.KAAS_E2E_TESTBED_LOG = logPath
  if (child.pid) process.env.KAAS_E2E_TESTBED_PID = String(child.pid)

  let clusters: TestbedCluster[]
  try {
    clusters = await readTestbed(child, TESTBED_DEADLINE_MS)
  } catch (err) {
    await stopChild(child)
    throw new Error(`kaas-testbed ${args.join(' ')}: ${(err as Error).message}\n--- its stderr (${logPath}) ---\n${tail(logPath)}`)
  }
  const missing = TESTBED_CLUSTERS.filter((name) => !clusters.some((c) => c.name === name))
  if (missing.length) {
    await stopChild(child)
    throw new Error(`kaas-testbed said ready without the clusters ${missing.join(', ')}\n--- its stderr ---\n${tail(logPath)}`)
  }
  for (const c of clusters) recordKubeconfig(c.adminKubeconfig, KIND.kubeconfigKey)
  const file = join(panelDataDir, 'clusters.json')
  writeFileSync(file, JSON.stringify(clusters, null, 2), { mode: 0o600 })
  process.env.KAAS_E2E_CLUSTERS_FILE = file
  console.log(`kaas-testbed ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${clusters.map((c) => `${c.name} at ${c.apiURL}`).join(', ')} (log: ${logPath})`)
}

// readTestbed reads the testbed's stdout, one JSON object a line: the clusters, then
// {"ready":true}. It fails when the testbed exits first, prints something else or is not
// ready in time.
async function readTestbed(child: ChildProcess, deadlineMs: number): Promise<TestbedCluster[]> {
  const lines = await readReady(child, deadlineMs, (v) => typeof v.name === 'string' && typeof v.apiURL === 'string' && typeof v.adminKubeconfig === 'string')
  return lines.map((v) => ({ name: v.name as string, apiURL: v.apiURL as string, adminKubeconfig: v.adminKubeconfig as string }))
}

// readReady reads a testbed's stdout, one JSON object a line, up to {"ready":true}, and
// returns the objects before it. It fails when the testbed exits first, prints a line that
// is not JSON or that accept refuses, or is not ready in time.
function readReady(child: ChildProcess, deadlineMs: number, accept: (v: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
  return new Promise((done, fail) => {
    const got: Record<string, unknown>[] = []
    const lines = createInterface({ input: child.stdout! })
    let settled = false
    const finish = (err: Error | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.off('exit', onExit)
      child.off('error', onError)
      lines.close()
      // Keep draining stdout so that the testbed never blocks on a full pipe.
      child.stdout?.resume()
      if (err) fail(err)
      else done(got)
    }
    const timer = setTimeout(() => finish(new Error(`not ready within ${deadlineMs / 1000}s (lines so far: ${got.length})`)), deadlineMs)
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`exited (${signal ?? `code ${code}`}) before it was ready`))
    const onError = (err: Error) => finish(new Error(`failed to start (${err.message})`))
    child.on('exit', onExit)
    child.on('error', onError)
    lines.on('line', (line) => {
      if (line.trim() === '') return
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch {
        finish(new Error(`printed a line that is not JSON: ${line.slice(0, 200)}`))
        return
      }
      const v = (value ?? {}) as Record<string, unknown>
      if (v.ready === true) finish(null)
      else if (typeof value === 'object' && accept(v)) got.push(v)
      else finish(new Error(`printed an unexpected line: ${line.slice(0, 200)}`))
    })
  })
}

// stopChild ends a child that failed to start: SIGTERM (the testbed then stops its etcd
// and kube-apiserver), SIGKILL after 20 s.
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 20_000).unref())
  if ((await Promise.race([exited.then(() => true), timeout])) === false) {
    child.kill('SIGKILL')
    await exited
  }
}
