// The sync backlog (real nodes, TCP on 127.0.0.1, own directories): while a node's partner is
// away, the shards it takes are acknowledged with one copy and counted as what the partner lacks;
// once the partner is back and the pair has synced, nothing is, the inventories agree, and the
// partner holds the shards on its disk.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode, type NodePairing, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { pairKnown, pairOf, shardFiles, steadyPairs } from './pair-helpers.ts'

const pairingOf = (n: DefsNode) => (n.services as { pairing: NodePairing }).pairing

describe("a pair's sync backlog", () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(3, { services: { pairing: pairingService(steadyPairs) } })
  })
  after(async () => await net?.stop())

  it('counts what the partner lacks while it is away, and nothing once they synced', async () => {
    const [a, b, c] = net.nodes as [DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    assert.deepEqual(pairingOf(a).backlog(), { shards: 0, bytes: 0 })

    // b goes; a suspects it (no failover: the failure timeout is a minute) and takes shards alone
    await b.stop()
    await waitFor(() => pairOf(a).status().health !== 'alive', 'a suspects its partner', 15_000)
    const source = join(net.root, 'while-away.bin')
    await writeFile(source, randomBytes(1024 * 1024))
    const put = await a.files.put(source, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
    assert.equal((await a.tasks.settled(put.taskId)).state, 'done')
    const onA = await shardFiles(a, put.fileId)
    assert.ok(onA.length > 0, 'a holds a shard of the file')
    const away = pairingOf(a).backlog()
    assert.equal(away.shards, onA.length, 'every shard a took alone is in its backlog')
    assert.ok(away.bytes >= 1024 * 1024 * 0.9, `${away.bytes} bytes`)
    assert.ok((await shardFiles(b, put.fileId)).length === 0, 'b has none of them yet')

    // b back from its directory (same identity, same pair): they sync, and the backlog empties
    const back = await createNode({
      dataDir: b.dataDir,
      workerNum: 1,
      services: { pairing: pairingService(steadyPairs) }
    })
    net.nodes.push(back)
    for (const n of [a, c]) {
      await n.peers.trust(back.peerId)
      await back.peers.trust(n.peerId)
      await n.peers.connect(back.addresses()[0]!)
    }
    assert.equal(back.peerId, b.peerId)
    await waitFor(
      async () => (await shardFiles(back, put.fileId)).length >= onA.length,
      'the partner has the shards again',
      60_000
    )
    await waitFor(
      () => pairingOf(a).backlog().shards === 0 && pairOf(a).status().inSync === true,
      'the backlog empty and the inventories in agreement',
      60_000
    )
    assert.deepEqual(pairingOf(a).backlog(), { shards: 0, bytes: 0 })
    assert.equal(pairOf(a).partner()?.toString(), b.peerId, 'no failover')
  })
})
