// `defs maintenance on|off|status` against real daemons: a devnet of 3, the mode switched on node-1
// while its peers keep serving, refused uploads as one line and a non-zero exit, reads going on.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { MaintenanceRecord, PutResult } from '@defs/node'
import { type Devnet, startDevnet } from '../src/devnet/devnet.ts'
import { apiEnv, runCli } from './run-cli.ts'

describe('defs maintenance', () => {
  let dir: string
  let devnet: Devnet
  let env: NodeJS.ProcessEnv
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-maintenance-cli-'))
    devnet = await startDevnet({ nodes: 3, dir: join(dir, 'net') })
    env = apiEnv(devnet.nodes[0]!.api, devnet.nodes[0]!.token)
  })
  after(async () => {
    await devnet?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('switches on and off, says so in status, refuses uploads in one line and keeps reads', async () => {
    const file = join(dir, 'f.bin')
    const data = randomBytes(300_000)
    await writeFile(file, data)
    const put = await runCli(['put', file, '--json'], { env })
    assert.equal(put.code, 0, put.stderr)
    const { fileId } = JSON.parse(put.stdout.toString()) as PutResult
    const on = await runCli(['maintenance', 'on', '--json'], { env })
    assert.equal(on.code, 0, on.stderr)
    assert.equal((JSON.parse(on.stdout.toString()) as MaintenanceRecord).state, 'on')
    const status = await runCli(['status'], { env })
    assert.match(status.stdout.toString(), /^state\s+maintenance for /m)
    const shown = await runCli(['maintenance', 'status'], { env })
    assert.match(shown.stdout.toString(), /^maintenance on for .*new work refused, reads go on$/m)
    const refused = await runCli(['put', file], { env })
    assert.notEqual(refused.code, 0)
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr)
    assert.match(refused.stderr, /maintenance/)
    const out = join(dir, 'read.bin')
    const got = await runCli(['get', fileId, '-o', out], { env })
    assert.equal(got.code, 0, got.stderr)
    assert.deepEqual(await readFile(out), data)
    const off = await runCli(['maintenance', 'off'], { env })
    assert.equal(off.code, 0, off.stderr)
    assert.match(off.stdout.toString(), /^maintenance off/)
    assert.equal((await runCli(['put', file], { env })).code, 0)
  })

  it('refuses an unknown action in one line', async () => {
    const r = await runCli(['maintenance', 'sideways'], { env })
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /maintenance takes on, off or status, got "sideways"/)
  })
})
