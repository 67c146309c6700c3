// Pairs inside the node: six real nodes (TCP on 127.0.0.1, own directories) form three pairs by
// themselves; every shard of a 64 MiB upload ends up on both nodes of the pair it was put on (read on
// disk), and placement keeps at most m shards of a slice on one pair.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, sha256 } from '@defs/crypto'
import { createHost } from '@defs/net'
import { shardHeaderOf, signShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type DefsNode, type NodePairing, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const fast = {
  heartbeatInterval: 200,
  pairSuspectAfter: 600,
  pairFailureTimeout: 3000,
  formationBackoff: 100
}
const pairOf = (n: DefsNode) => (n.services as { pairing: NodePairing }).pairing.service

async function shardFiles(node: DefsNode, fileId: string): Promise<string[]> {
  return await readdir(join(node.dataDir, 'shards', fileId)).catch(() => [])
}

describe('pairs in the node', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(6, { services: { pairing: pairingService(fast) } })
  })
  after(async () => await net?.stop())

  it('six nodes form three pairs, every shard of an upload is on both nodes of its pair, at most m per pair', async () => {
    const { nodes } = net
    const byId = new Map(nodes.map((n) => [n.peerId, n]))
    const partner = (n: DefsNode) => pairOf(n).partner()?.toString()
    await waitFor(
      () =>
        nodes.every(
          (n) =>
            partner(byId.get(partner(n) ?? '') ?? n) === n.peerId &&
            partner(n) !== n.peerId &&
            partner(n) !== undefined
        ),
      'three pairs',
      20_000
    )
    // every node has heard every other's status (what placement reads)
    await waitFor(
      () => nodes.every((a) => nodes.every((b) => pairOf(a).partnerOf(b.peerId) === partner(b))),
      'pairs known to all',
      20_000
    )

    const source = join(net.root, 'upload.bin')
    // 64 MiB, as the test: one slice of 64 MiB, sixteen-MiB shards each mirrored
    const bytes = randomBytes(64 * 1024 * 1024)
    await writeFile(source, bytes)
    const uploader = nodes[0]!
    const put = await uploader.files.put(source, { mode: 'rs-proportion', dataShards: 4, parityShards: 2 })
    await uploader.tasks.settled(put.taskId)
    const health = await uploader.files.check(put.fileId)
    assert.ok(health.slices.length >= 1)
    const pairsOfNet = new Set(nodes.map((n) => [n.peerId, partner(n)!].sort().join()))
    for (const slice of health.slices) {
      // the health check groups each slice's shards by pair: the three pairs, 2 (m) each
      assert.deepEqual(
        slice.pairs.map((p) => p.count),
        [2, 2, 2],
        `at most m=2 shards of a slice per pair, over all three: ${JSON.stringify(slice.pairs)}`
      )
      assert.ok(slice.pairs.every((p) => !p.overBound && p.shards.length === p.count))
      assert.deepEqual(new Set(slice.pairs.map((p) => p.peers.join())), pairsOfNet, 'named by their peers')
      assert.deepEqual(slice.pairs.flatMap((p) => p.shards).sort(), [0, 1, 2, 3, 4, 5])
      // and each pair holds what placement put on its two nodes
      const placed = new Map<string, number[]>()
      for (const { index, peerId } of put.placement[slice.slice]!.shards) {
        const key = [peerId, partner(byId.get(peerId)!)!].sort().join()
        placed.set(
          key,
          [...(placed.get(key) ?? []), index].sort((a, b) => a - b)
        )
      }
      assert.deepEqual(new Map(slice.pairs.map((p) => [p.peers.join(), p.shards])), placed)
    }
    // each shard acknowledged by its holder with 2 copies: the partner took it before the answer
    for (const { shards } of put.placement)
      assert.deepEqual(new Set(shards.map((s) => s.copies)), new Set([2]))
    let total = 0
    const distinct = new Set<string>()
    for (const n of nodes) {
      const mine = await shardFiles(n, put.fileId)
      const theirs = new Set(await shardFiles(byId.get(partner(n)!)!, put.fileId))
      for (const shard of mine)
        assert.ok(theirs.has(shard), `shard ${shard} on ${n.peerId} is on its partner too`)
      total += mine.length
      for (const s of mine) distinct.add(s)
    }
    assert.equal(distinct.size, health.slices.length * 6)
    assert.equal(total, 2 * distinct.size, 'every shard on exactly two nodes')
    // the owner's delete reaches the mirror copies too
    await uploader.files.rm(put.fileId)
    for (const n of nodes)
      assert.deepEqual(await shardFiles(n, put.fileId), [], `no shard left on ${n.peerId}`)
  })

  it('a put to a paired node is acknowledged with 2 copies, and with 1 while its partner is down', async () => {
    const { nodes } = net
    const target = nodes[1]!
    const partnerId = pairOf(target).partner()!.toString()
    const partner = nodes.find((n) => n.peerId === partnerId)!
    // an uploader from outside: a real peer with its own key, a stranger to the network
    const client = await createHost({ host: '127.0.0.1' })
    try {
      await client.dial(multiaddr(target.addresses()[0]!))
      const owner = await generateSigningKey()
      const put = async (): Promise<{ copies?: number; id: string }> => {
        const bytes = randomBytes(4096)
        const id = await sha256(bytes)
        const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 1, parityShards: 0 }
        const header = await signShardHeader(owner, id, shardHeaderOf(fields, bytes))
        let ack: { copies?: number } = {}
        await client.services.shards.put(peerIdFromString(target.peerId), header, bytes, {
          id,
          onAck: (a) => {
            ack = a
          }
        })
        return { ...ack, id: Buffer.from(id).toString('hex') }
      }
      const mirrored = await put()
      assert.equal(mirrored.copies, 2)
      const onPartner = await readdir(join(partner.dataDir, 'shards'), { recursive: true })
      assert.ok(
        onPartner.some((f) => f.endsWith(mirrored.id)),
        'the partner holds the mirrored shard'
      )
      await partner.stop()
      const alone = await put()
      assert.equal(alone.copies, 1)
    } finally {
      await client.stop()
    }
  })
})

describe('a partner back from a restart', () => {
  let net: TestNetwork
  const options = { ...fast, autoPair: false }
  before(async () => {
    net = await startNetwork(3, { services: { pairing: pairingService(options) } })
  })
  after(async () => await net?.stop())

  it('gets every shard acknowledged with one copy while it was down (inventory digests differ, a sync runs)', async () => {
    const [a, b] = net.nodes as [DefsNode, DefsNode, DefsNode]
    await pairOf(a).pairWith(peerIdFromString(b.peerId))
    await b.stop()
    const source = join(net.root, 'while-down.bin')
    await writeFile(source, randomBytes(2 * 1024 * 1024))
    const put = await a.files.put(source, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
    assert.equal((await a.tasks.settled(put.taskId)).state, 'done')
    const onA = await shardFiles(a, put.fileId)
    assert.ok(onA.length > 0, 'a holds shards of the file')
    // the uploader counts what a paired holder (a itself) acknowledged with one copy, and says so
    const onPair = put.placement.flatMap((sl) => sl.shards).filter((x) => x.peerId === a.peerId)
    assert.ok(onPair.length > 0, 'a is among the holders')
    assert.equal(put.oneCopy, onPair.length)
    assert.match(put.note ?? '', /shard\(s\) on 1 copy for now/)
    assert.deepEqual(await shardFiles(b, put.fileId), [], 'b was down: none reached it')
    const back = await createNode({
      dataDir: b.dataDir,
      workerNum: 1,
      services: { pairing: pairingService(options) }
    })
    net.nodes[1] = back
    await back.peers.trust(a.peerId)
    await back.peers.connect(a.addresses()[0]!)
    assert.equal(pairOf(back).partner()?.toString(), a.peerId, 'b comes back with its pair')
    await waitFor(
      async () => {
        const onB = new Set(await shardFiles(back, put.fileId))
        return onA.every((s) => onB.has(s))
      },
      'every shard of a on b',
      30_000
    )
    assert.ok(a.tasks.list().some((t) => t.kind === 'migrate' && t.state === 'done'))
  })
})
