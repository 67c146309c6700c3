// A holder below the audit bar (its audit factor under MIN_AUDIT_FACTOR on the other nodes):
// every copy it holds counts as lost, so the next health checks rebuild all of them elsewhere at
// once, not one failed audit at a time, and new shards go elsewhere. How the factor falls (audits,
// misbehaviour on the wire) is tested in repair-audit and node-faults; here the nodes' scorers are
// told two failures, and the repair that follows is real (real nodes, TCP on 127.0.0.1, disks).
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fromHex } from '@defs/crypto'
import type { DefsNode, NodeComponents, RepairService } from '../src/index.ts'
import { failsAudits } from '../src/peers/placement.ts'
import { peerHas } from '../src/steps/network-index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { shardFiles } from './pair-helpers.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const SLICE = 256 * 1024
type Parts = { parts: NodeComponents; repair: RepairService }
const partsOf = (n: DefsNode) => (n.services as unknown as Parts).parts
const repairOf = (n: DefsNode) => (n.services as unknown as Parts).repair

describe('a holder below the audit bar', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(7, {
      minSliceSize: SLICE,
      maxSliceSize: SLICE,
      // no audits of their own: passes of the holder's honest shards would lift it over the bar
      repairAudits: false,
      services: { parts: { create: (c: NodeComponents) => c } }
    })
  })
  after(async () => await net?.stop())

  it('has every copy it holds rebuilt elsewhere at once, and gets no new shards', async () => {
    const [owner, ...storage] = net.nodes as [DefsNode, ...DefsNode[]]
    const bytes = randomBytes(3 * SLICE - 100)
    const source = join(net.root, 'source')
    await writeFile(source, bytes)
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    assert.equal((await owner.tasks.settled(put.taskId)).state, 'done')
    // the storage node holding the most shards of the file
    const held = await Promise.all(storage.map((n) => shardFiles(n, put.fileId)))
    const most = held.reduce((best, h, i) => (h.length > held[best]!.length ? i : best), 0)
    const liar = storage[most]!
    const its = held[most]!
    assert.ok(its.length >= 2, `the holder keeps several shards of the file (${its.length})`)

    for (const n of net.nodes) {
      if (n === liar) continue
      const c = partsOf(n)
      c.scorer.observe(liar.peerId, { audit: 'fail' })
      c.scorer.observe(liar.peerId, { audit: 'fail' })
      assert.ok(failsAudits(c, liar.peerId), `below the bar on ${n.peerId}`)
    }
    // the checks of the nodes that keep the file: theirs elect the repairer among trusted holders
    const others = net.nodes.filter((n) => n !== liar)
    const rebuilt = async (): Promise<boolean> => {
      const c = partsOf(owner)
      const has = await Promise.all(
        others.map((n) =>
          peerHas(c, n.peerId, its.map(fromHex), AbortSignal.timeout(3000)).catch(() => its.map(() => false))
        )
      )
      return its.every((_, i) => has.some((h) => h[i] === true))
    }
    await waitFor(
      async () => {
        await Promise.all(
          others.map((n) =>
            repairOf(n)
              .checkNow(new Set([put.fileId]))
              .catch(() => [])
          )
        )
        return await rebuilt()
      },
      `all ${its.length} shards of the holder rebuilt on other nodes`,
      90_000
    )
    // the honest holders kept their standing through all that: none of them is below the bar
    for (const n of storage)
      if (n !== liar)
        assert.ok(!failsAudits(partsOf(owner), n.peerId), `${n.peerId} still trusted by the owner`)
    // a new upload, while it is up and connected, places nothing on it
    const second = join(net.root, 'second')
    await writeFile(second, randomBytes(SLICE))
    const put2 = await owner.files.put(second, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    const placement = (await partsOf(owner).meta.getPlacement(put2.fileId))!
    assert.ok(!placement.slices.flat(2).includes(liar.peerId), 'no shard of a new file on it')
    // read back with the holder gone: what it kept is no longer needed
    await liar.stop()
    const out = join(net.root, 'back')
    await owner.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(bytes))
  })
})
