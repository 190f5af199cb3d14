import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// stop sends SIGTERM to a process this run started and waits for it to exit; SIGKILL
// after the deadline.
async function stop(pid: number, deadlineMs: number): Promise<void> {
  if (!(pid > 0) || !alive(pid)) return
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + deadlineMs
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (alive(pid)) {
    console.warn(`process ${pid} did not exit within ${deadlineMs / 1000}s of SIGTERM: killing it`)
    process.kill(pid, 'SIGKILL')
  }
}

// keepLog copies a log into test-results/.
function keepLog(from: string, name: string): void {
  if (!existsSync(from)) return
  mkdirSync('test-results', { recursive: true })
  copyFileSync(from, join('test-results', name))
}

// keepChildLogs copies every *.log under dir (the testbed's etcd and kube-apiserver logs)
// into browser/<name>/ of the run's log directory (KAAS_TEST_LOG_DIR), for the scan for
// secrets at the end of the run.
function keepChildLogs(dir: string, name: string): void {
  const root = process.env.KAAS_TEST_LOG_DIR
  if (!root) return
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) continue
    const from = join(entry.parentPath, entry.name)
    const to = join(root, 'browser', name, relative(dir, from))
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 })
    copyFileSync(from, to)
  }
}

// globalTeardown stops what global-setup.ts started: kaas-testbed first (on SIGTERM it
// stops its etcd and kube-apiserver processes, which also get SIGTERM should it die), then
// the panel server, then the fake cloud's kaas-testbed (its played masters, and its
// endpoints in Keystone). It keeps their logs in test-results/ and removes their directories
// (KAAS_E2E_KEEP=1 keeps them).
export default async function globalTeardown(): Promise<void> {
  await stop(Number(process.env.KAAS_E2E_TESTBED_PID), 20_000)
  await stop(Number(process.env.KAAS_E2E_PID), 10_000)
  await stop(Number(process.env.KAAS_E2E_CLOUD_PID), 20_000)

  const testbedDir = process.env.KAAS_E2E_TESTBED_DIR
  if (testbedDir && existsSync(testbedDir)) {
    keepLog(process.env.KAAS_E2E_TESTBED_LOG ?? join(testbedDir, 'testbed.log'), 'kaas-testbed.log')
    keepChildLogs(testbedDir, 'testbed')
    if (!process.env.KAAS_E2E_KEEP) rmSync(testbedDir, { recursive: true, force: true })
  }
  const cloudDir = process.env.KAAS_E2E_CLOUD_DIR
  if (cloudDir && existsSync(cloudDir)) {
    keepLog(process.env.KAAS_E2E_CLOUD_LOG ?? join(cloudDir, 'fake-cloud.log'), 'kaas-fake-cloud.log')
    keepChildLogs(cloudDir, 'cloud')
    if (!process.env.KAAS_E2E_KEEP) rmSync(cloudDir, { recursive: true, force: true })
  }
  const dataDir = process.env.KAAS_E2E_DATA_DIR
  if (dataDir && existsSync(dataDir)) {
    keepLog(process.env.KAAS_E2E_SERVER_LOG ?? join(dataDir, 'server.log'), 'kaas-server.log')
    keepChildLogs(dataDir, 'data')
    if (!process.env.KAAS_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true })
  }
}
