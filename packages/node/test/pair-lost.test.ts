// Both nodes of a pair gone (real nodes, TCP on 127.0.0.1, own directories): the health check of
// a node that keeps the file tells, on the node's events, each shard the pair held that has no
// live copy left (`pair:lost`, naming the pair), although the pairing directory has forgotten
// the two by then.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type DefsNode, type PairLost, pairingService, type RepairService } from '../src/index.ts'
import { startNetwork, type TestNetwork } from './network/devnet.ts'
import { pairKnown, shardFiles, steadyPairs } from './pair-helpers.ts'

const options = steadyPairs
const repairOf = (n: DefsNode) => (n.services as { repair: RepairService }).repair

describe('a pair whose two nodes are gone', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(3, { services: { pairing: pairingService(options) } })
  })
  after(async () => await net?.stop())

  it('is told as pair:lost for each shard it held, by the health check of a node keeping the file', async () => {
    // three nodes, k = 1 and m = 1: at most one shard of a slice on the pair, the other on the owner
    const [a, b, owner] = net.nodes as [DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    const source = join(net.root, 'paired.bin')
    await writeFile(source, randomBytes(1024 * 1024))
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
    assert.equal((await owner.tasks.settled(put.taskId)).state, 'done')
    const onPair = new Set([...(await shardFiles(a, put.fileId)), ...(await shardFiles(b, put.fileId))])
    assert.ok(onPair.size > 0, 'the pair holds shards of the file')
    // the owner keeps the file too (it holds the slices' other shards): its checks see the pair
    const checker = owner
    assert.ok((await shardFiles(checker, put.fileId)).length > 0, 'a node outside the pair keeps the file')
    const lost: PairLost[] = []
    checker.events.addEventListener('pair:lost', (e) => lost.push(e.detail))
    // a check while both are up: nothing lost
    await repairOf(checker).checkNow(new Set([put.fileId]))
    assert.equal(lost.length, 0)

    await Promise.all([a.stop(), b.stop()])
    await repairOf(checker).checkNow(new Set([put.fileId]))
    const pair = [a.peerId, b.peerId].sort()
    assert.ok(lost.length > 0, 'some shard is told lost')
    for (const l of lost) {
      assert.equal(l.fileIdHex, put.fileId)
      assert.deepEqual(l.pair, pair)
    }
    assert.deepEqual(new Set(lost.map((l) => l.shard)), onPair, 'every shard the pair held, and only those')
  })
})
