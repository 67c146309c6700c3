// The pair's sync after a restart, on real nodes (TCP on 127.0.0.1, own directories): partners
// with 2,000 shards in common, one of them down while its partner takes 3 new shards and honours
// the owner's delete of one old one. When it comes back the partners converge (same inventory
// digest): the 3 new shards reach it, the delete is applied there too, and the sync listed only
// the ids of the buckets that differ, not the 2,000.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, type SigningKey, sha256, toHex } from '@defs/crypto'
import { createHost, type Host } from '@defs/net'
import { equalBytes, shardHeaderOf, sign, signShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type DefsNode, pairingService } from '../src/index.ts'
import type { MigrateResult } from '../src/pairing/migrate-task.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { pairKnown, pairOf, shardFiles, steadyPairs } from './pair-helpers.ts'

const options = steadyPairs
const COMMON = 2000

interface Put {
  id: string
  fileId: Uint8Array
  copies?: number
}

async function putShard(client: Host, owner: SigningKey, target: DefsNode): Promise<Put> {
  const bytes = randomBytes(256)
  const id = await sha256(bytes)
  const fileId = randomBytes(16)
  const fields = { fileId, slice: 0, index: 0, dataShards: 1, parityShards: 0 }
  const header = await signShardHeader(owner, id, shardHeaderOf(fields, bytes))
  let copies: number | undefined
  await client.services.shards.put(peerIdFromString(target.peerId), header, bytes, {
    id,
    onAck: (a) => {
      copies = a.copies
    }
  })
  return { id: toHex(id), fileId, ...(copies !== undefined ? { copies } : {}) }
}

const digestOf = (n: DefsNode) => pairOf(n).ownStatus().digest!

describe('a partner back from a restart, 2,000 shards in common', () => {
  let net: TestNetwork
  let client: Host
  before(async () => {
    net = await startNetwork(3, { services: { pairing: pairingService(options) } })
    client = await createHost({ host: '127.0.0.1' })
  })
  after(async () => {
    await client?.stop()
    await net?.stop()
  })

  it('converges, lists only the differing buckets, and applies the delete it missed', async (t) => {
    const [a, b, c] = net.nodes as [DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    await client.dial(multiaddr(a.addresses()[0]!))
    const owner = await generateSigningKey()
    const common: Put[] = []
    for (let at = 0; at < COMMON; at += 16) {
      common.push(...(await Promise.all(Array.from({ length: 16 }, () => putShard(client, owner, a)))))
    }
    // (a put while a heartbeat is late, the machine loaded, is acknowledged with 1 copy: the sync
    // below catches up, so the count is not asserted)
    await waitFor(() => equalBytes(digestOf(a), digestOf(b)), 'b mirrors all of a', 60_000)

    await b.stop()
    const fresh = [
      await putShard(client, owner, a),
      await putShard(client, owner, a),
      await putShard(client, owner, a)
    ]
    assert.ok(
      fresh.every((p) => p.copies === 1),
      'b is down: 1 copy'
    )
    const gone = common[0]!
    const envelope = await sign(
      'delete',
      {
        fileId: gone.fileId,
        shards: [],
        nonce: randomBytes(16),
        time: Date.now(),
        recipient: peerIdFromString(a.peerId).toMultihash().bytes
      },
      owner
    )
    await client.services.shards.delete(peerIdFromString(a.peerId), envelope)
    assert.deepEqual(await shardFiles(a, toHex(gone.fileId)), [], 'a honoured the delete')

    const restarted = Date.now()
    const back = await createNode({
      dataDir: b.dataDir,
      workerNum: 1,
      services: { pairing: pairingService(options) }
    })
    net.nodes[1] = back
    assert.deepEqual(
      await shardFiles(back, toHex(gone.fileId)),
      [gone.id],
      'b comes back with the deleted shard'
    )
    for (const peer of [a, c]) {
      await back.peers.trust(peer.peerId)
      await back.peers.connect(peer.addresses()[0]!)
    }
    await waitFor(() => equalBytes(digestOf(a), digestOf(back)), 'the partners converge', 60_000)
    for (const p of fresh)
      assert.deepEqual(await shardFiles(back, toHex(p.fileId)), [p.id], `${p.id} reached b`)
    assert.deepEqual(await shardFiles(back, toHex(gone.fileId)), [], 'b applied the delete it missed')
    assert.deepEqual(await shardFiles(a, toHex(gone.fileId)), [], 'and a did not take it back')

    // the digests agree once the last put landed; the tasks that sent them end just after
    for (const n of [a, back])
      for (const t of n.tasks.list())
        if (t.kind === 'migrate' && !['done', 'failed', 'cancelled'].includes(t.state))
          await n.tasks.settled(t.id)

    // what crossed: ids of the buckets the 4 differing shards fall in, not the inventory
    const differing = new Set([...fresh, gone].map((p) => p.id.slice(0, 2)))
    const bound = [...common, ...fresh].filter((p) => differing.has(p.id.slice(0, 2))).length
    // (a task open when b stopped resumes after its restart: counted by when it last ran)
    const since = (n: DefsNode) =>
      n.tasks.list().filter((t) => t.kind === 'migrate' && t.updated >= restarted && t.state === 'done')
    const fromA = since(a).map((t) => t.result as MigrateResult)
    const fromB = since(back).map((t) => t.result as MigrateResult)
    assert.equal(
      fromA.reduce((n, r) => n + r.sent, 0),
      fresh.length,
      `a sent the 3 new shards: ${JSON.stringify(fromA)}`
    )
    assert.ok(
      fromB.some((r) => r.deleted === 1),
      `b's sync met the delete: ${JSON.stringify(fromB)}`
    )
    t.diagnostic(
      `a: ${JSON.stringify(fromA)}; b: ${JSON.stringify(fromB)}; ${bound} ids in the differing buckets`
    )
    for (const r of [...fromA, ...fromB]) {
      assert.ok(r.listed <= bound, `listed ${r.listed}, ${bound} ids in the differing buckets`)
      assert.ok(r.listed < COMMON / 20, `listed ${r.listed} of ${COMMON}`)
    }
    assert.ok(
      !back.tasks.list().some((t) => t.kind === 'migrate' && t.state === 'failed') &&
        !a.tasks.list().some((t) => t.kind === 'migrate' && t.state === 'failed'),
      'no migrate task failed'
    )
  })
})
