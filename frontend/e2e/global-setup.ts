import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, openSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

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

// globalSetup starts the panel binary named by KAAS_BIN on a free port with a fresh data
// directory, inheriting the environment (the OS_* variables that name the Keystone), and
// hands its URL to the tests in KAAS_E2E_BASE_URL.
export default async function globalSetup(): Promise<void> {
  const bin = process.env.KAAS_BIN
  if (!bin) {
    throw new Error(
      'KAAS_BIN is not set. The end-to-end tests run the real panel: build it and set KAAS_BIN to the binary, e.g. `go build -o /tmp/kaas . && KAAS_BIN=/tmp/kaas npm run e2e` (the Makefile does this, with a Keystone).',
    )
  }
  const binPath = resolve(bin)
  try {
    if (!statSync(binPath).isFile()) throw new Error('not a file')
    accessSync(binPath, constants.X_OK)
  } catch (err) {
    throw new Error(`KAAS_BIN=${bin} is not an executable file (${(err as Error).message}). Build the panel first.`)
  }

  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'kaas-e2e-'))
  const logPath = join(dataDir, 'server.log')
  const log = openSync(logPath, 'a')
  const child = spawn(binPath, ['--addr', `127.0.0.1:${port}`, '--data-dir', dataDir], {
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
    throw new Error(`${(err as Error).message}\n--- ${logPath} ---\n${tail(logPath)}`)
  }
  process.env.KAAS_E2E_BASE_URL = baseURL
  process.env.KAAS_E2E_PID = String(child.pid)
  process.env.KAAS_E2E_DATA_DIR = dataDir
  console.log(`panel server ${binPath} ready at ${baseURL} (log: ${logPath})`)
}
