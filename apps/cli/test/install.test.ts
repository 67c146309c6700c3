// What the README tells a newcomer: `npm link -w @defs/cli` in the checkout puts `defs` on the
// PATH, and it runs from any directory, also when the Node on the PATH is older than 22.6 (it
// then runs on the Node 24 that the checkout's npm install brought).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const checkout = fileURLToPath(new URL('../../..', import.meta.url))

describe('defs on the PATH', () => {
  it('is linked by npm link -w @defs/cli and runs from anywhere', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'defs-link-'))
    try {
      // A prefix of its own, so the machine's global packages are not touched.
      const env = {
        ...process.env,
        npm_config_prefix: prefix,
        npm_config_audit: 'false',
        npm_config_fund: 'false'
      }
      await run('npm', ['link', '-w', '@defs/cli'], { cwd: checkout, env, timeout: 60_000 })
      const path = `${join(prefix, 'bin')}:/usr/bin:/bin`
      const { stdout } = await run('defs', ['version', '--json'], {
        cwd: tmpdir(),
        env: { ...env, PATH: path },
        timeout: 30_000
      })
      assert.match((JSON.parse(stdout) as { version: string }).version, /^\d+\.\d+\.\d+/)
    } finally {
      await rm(prefix, { recursive: true, force: true })
    }
  })
})
