import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// globalTeardown stops the panel server that global-setup.ts started, keeps its log in
// test-results/ and removes its data directory (KAAS_E2E_KEEP=1 keeps it).
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env.KAAS_E2E_PID)
  if (pid > 0 && alive(pid)) {
    process.kill(pid, 'SIGTERM')
    const deadline = Date.now() + 10_000
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  }
  const dataDir = process.env.KAAS_E2E_DATA_DIR
  if (dataDir && existsSync(dataDir)) {
    const log = join(dataDir, 'server.log')
    if (existsSync(log)) {
      mkdirSync('test-results', { recursive: true })
      copyFileSync(log, join('test-results', 'kaas-server.log'))
    }
    if (!process.env.KAAS_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true })
  }
}
