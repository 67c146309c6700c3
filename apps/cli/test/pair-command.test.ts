// `defs pair` against two real daemons with pairing on (nodes on 127.0.0.1): --with pairs them,
// status shows the partner, epoch and health, --json the same as data.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '@defs/daemon'
import { apiEnv, runCli } from './run-cli.ts'

const pairing = { heartbeatInterval: 200, pairSuspectAfter: 600, pairFailureTimeout: 3000, autoPair: false }

describe('defs pair', () => {
  let dir: string
  const daemons: Daemon[] = []
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-pair-cli-'))
    for (const name of ['a', 'b'])
      daemons.push(
        await startDaemon({ dir: join(dir, name), port: 0, node: { port: 0, workerNum: 1 }, pairing })
      )
  })
  after(async () => {
    await Promise.allSettled(daemons.map((d) => d.stop()))
    await rm(dir, { recursive: true, force: true })
  })

  it('pairs with --with and shows the pair', async () => {
    const [a, b] = daemons as [Daemon, Daemon]
    const envA = apiEnv(a.url, a.token)
    const envB = apiEnv(b.url, b.token)
    const statusB = JSON.parse((await runCli(['status', '--json'], { env: envB })).stdout.toString()) as {
      peerId: string
      addresses: string[]
    }
    const unpaired = await runCli(['pair', '--json'], { env: envA })
    assert.equal(unpaired.code, 0, unpaired.stderr)
    assert.equal(JSON.parse(unpaired.stdout.toString()).health, 'unpaired')
    const joined = await fetch(`${a.url}/v1/peers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
      body: JSON.stringify({ address: statusB.addresses[0] })
    })
    assert.equal(joined.status, 200)
    const statusA = JSON.parse((await runCli(['status', '--json'], { env: envA })).stdout.toString()) as {
      peerId: string
    }
    // b pairs only with peers it trusts or knows
    const trusted = await fetch(`${b.url}/v1/peers/trust`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.token}` },
      body: JSON.stringify({ peerId: statusA.peerId })
    })
    assert.equal(trusted.status, 200)
    const formed = await runCli(['pair', '--with', statusB.peerId], { env: envA })
    assert.equal(formed.code, 0, formed.stderr)
    assert.equal(formed.stdout.toString(), `paired with ${statusB.peerId} at epoch 1\n`)
    const shown = await runCli(['pair', 'status'], { env: envA })
    assert.match(shown.stdout.toString(), new RegExp(`^partner +${statusB.peerId}$`, 'm'))
    assert.match(shown.stdout.toString(), /^epoch +1$/m)
    // nothing acknowledged with one copy: the partner lacks nothing known
    assert.match(
      shown.stdout.toString(),
      /^sync +(not compared yet|in sync|inventories differ); nothing known to copy$/m
    )
    const refused = await runCli(['pair', '--with', statusB.peerId], { env: envA })
    assert.equal(refused.code, 1)
    assert.match(refused.stderr.toString(), /PairingRefusedError|paired with/)
  })
})
