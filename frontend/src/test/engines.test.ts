/// <reference types="node" />
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

// The lockfile pins every package the SPA's toolchain installs. Each must support the Node
// that runs it, or `npm ci` prints an EBADENGINE warning for it (and may misbehave).
interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>
}

// npm test runs in the frontend directory.
const root = process.cwd()
const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as Lock
const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } }

describe('Node engines', () => {
  it('the Node running the tests satisfies the project’s own engines field', () => {
    expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true)
  })

  it('every locked package supports this Node', () => {
    const unsupported: string[] = []
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
      if (!path || !range) continue
      if (!semver.satisfies(process.versions.node, range, { includePrerelease: true })) {
        unsupported.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: node ${range}`)
      }
    }
    expect(unsupported).toEqual([])
  })
})
