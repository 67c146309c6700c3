// The Helia peer of the scenario benchmarks lives in benchmarks/peers, installed on first use
// (helia brings some 800 packages the repository's own install should not).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Report } from './report.ts'

export const peersDir = fileURLToPath(new URL('../peers/', import.meta.url))

export function ensureHelia(report: Report): boolean {
  if (existsSync(join(peersDir, 'node_modules', 'helia'))) return true
  report.note('installing the Helia peer into benchmarks/peers (first run only, about a minute)')
  const npm = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', peersDir],
    {
      stdio: 'inherit'
    }
  )
  if (npm.status !== 0) {
    report.note('Helia could not be installed: the Helia rows are left out')
    return false
  }
  return true
}
