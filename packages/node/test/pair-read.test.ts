// A read on a network of pairs (real nodes, TCP on 127.0.0.1, own directories): the holder its
// placement names for a data shard is gone, and its partner, which keeps a mirror copy, serves
// the shard instead, so no slice needs parity.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type DefsNode, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork } from './network/devnet.ts'
import { pairKnown, shardFiles, steadyPairs } from './pair-helpers.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('a read whose named holder is gone', () => {
  let net: TestNetwork
  before(async () => {
    // small slices: 16 of them, so placement names each pair's nodes for some data shard
    net = await startNetwork(5, {
      maxSliceSize: 256 * 1024,
      minSliceSize: 64 * 1024,
      services: { pairing: pairingService(steadyPairs) }
    })
  })
  after(async () => await net?.stop())

  it("takes the shard from the holder's partner, not from parity", async () => {
    const [a, b, c, d, owner] = net.nodes as [DefsNode, DefsNode, DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    await pairKnown(net.nodes, c, d)
    const data = randomBytes(4 * 1024 * 1024)
    const source = join(net.root, 'paired.bin')
    await writeFile(source, data)
    const k = 2
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: k, parityShards: 1 })
    assert.equal((await owner.tasks.settled(put.taskId)).state, 'done')
    // the node placement names most often for a data shard, and that is paired
    const named = new Map<string, number>()
    for (const p of put.placement)
      for (const s of p.shards) if (s.index < k) named.set(s.peerId, (named.get(s.peerId) ?? 0) + 1)
    const paired = [a, b, c, d].filter((n) => named.has(n.peerId))
    assert.ok(paired.length > 0, 'some data shard is placed on a paired node')
    const victim = paired.sort((x, y) => named.get(y.peerId)! - named.get(x.peerId)!)[0]!
    const partner = victim === a ? b : victim === b ? a : victim === c ? d : c
    // the partner has every shard of the file the victim has, on disk
    const mirrored = new Set(await shardFiles(partner, put.fileId))
    for (const id of await shardFiles(victim, put.fileId)) assert.ok(mirrored.has(id), `partner has ${id}`)

    await victim.stop()
    const out = join(net.root, 'paired-out.bin')
    const got = await owner.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(data))
    assert.equal(
      got.slicesReconstructed,
      0,
      `${named.get(victim.peerId)} data shards were on the stopped node`
    )
  })
})
