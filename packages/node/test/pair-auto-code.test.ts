// An auto upload on a small network of pairs (real nodes, TCP on 127.0.0.1, own directories):
// four nodes in two pairs. A pair takes at most m shards of a slice, so the 3+1 that four lone
// nodes would get has no room (two pairs, one shard each); the code picked is 2+2, placed two
// shards per pair, and the file reads back after a whole pair is gone.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type DefsNode, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork } from './network/devnet.ts'
import { pairKnown, steadyPairs } from './pair-helpers.ts'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('an auto upload on two pairs', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(4, { services: { pairing: pairingService(steadyPairs) } })
  })
  after(async () => await net?.stop())

  it('picks a code the pairs have room for, and reads back without either pair', async () => {
    const [a, b, c, d] = net.nodes as [DefsNode, DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    await pairKnown(net.nodes, c, d)
    const data = randomBytes(3 * 1024 * 1024)
    const source = join(net.root, 'auto.bin')
    await writeFile(source, data)
    const put = await a.files.put(source)
    assert.equal((await a.tasks.settled(put.taskId)).state, 'done')
    assert.deepEqual([put.mode, put.dataShards, put.parityShards], ['rs-proportion', 2, 2])
    assert.match(put.note ?? '', /in pairs/)
    const pairOf = (peer: string) => ([a.peerId, b.peerId].includes(peer) ? 'ab' : 'cd')
    for (const p of put.placement) {
      const perPair = new Map<string, number>()
      for (const s of p.shards) perPair.set(pairOf(s.peerId), (perPair.get(pairOf(s.peerId)) ?? 0) + 1)
      assert.deepEqual([...perPair.values()].sort(), [2, 2], `slice ${p.slice}: two shards on each pair`)
    }

    // asked for 3+1 (m = 1: one shard per pair), the error says why four peers are not enough
    await assert.rejects(
      a.files.put(source, { mode: 'rs-proportion', dataShards: 3, parityShards: 1 }),
      (err: Error) =>
        err.name === 'NotEnoughPeersError' &&
        /the network has 2 \(4 peers, but a pair, or a network group of unproven peers, takes at most 1 shards of a slice\)/.test(
          err.message
        )
    )

    // the pair that did not upload goes: the other one still has k shards of every slice
    await Promise.all([c.stop(), d.stop()])
    const out = join(net.root, 'auto-out.bin')
    await a.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(data))
  })
})
