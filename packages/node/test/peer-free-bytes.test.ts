// Every peer's free space, not only a partner's: a storage node tells how many bytes it can
// still store in its `has` and put answers, and the asking node feeds the claim (capped) into the
// one scorer placement reads. A peer that reports no room gets no shard: placement leaves it out
// before sending anything. Real nodes over TCP, none paired.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from '@defs/crypto'
import { PeerScorer } from '@defs/kbucket'
import { shardHeaderOf, signShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, type DefsNode, type NodeComponents, placeShards } from '../src/index.ts'
import { recordFreeBytes } from '../src/peers/observations.ts'
import { waitFor } from './network/devnet.ts'

type Node = DefsNode<{ parts: NodeComponents }>

describe("peers' free space in the scorer", () => {
  let root: string
  const nodes: Node[] = []
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'defs-free-'))
    // the last node's quota of 1000 bytes is mostly taken by its own metadata and logs already
    for (const maxStorage of [undefined, undefined, undefined, 1000]) {
      nodes.push(
        await createNode({
          dataDir: join(root, `n${nodes.length}`),
          workerNum: 1,
          dialTimeout: 2000,
          ...(maxStorage !== undefined ? { maxStorage } : {}),
          services: { parts: { create: (c: NodeComponents) => c } }
        })
      )
    }
    for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.connect(b.addresses()[0]!)
    await waitFor(
      async () => (await Promise.all(nodes.map((n) => n.status()))).every((s) => s.peers === 3),
      'mesh'
    )
  })
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  })

  it("learns each peer's room from its answers; a peer that reports none gets no shard", async () => {
    const [a, b, c, full] = nodes as [Node, Node, Node, Node]
    const parts = a.services.parts
    assert.equal(parts.pairs.partnerOf(full.peerId), undefined, 'no pair here')
    assert.equal(parts.scorer.freeBytes(full.peerId), undefined, 'nothing known before an answer')
    // One `has` each, as a health check asks them: the answers carry the room.
    const probe = randomBytes(32)
    for (const p of [b, full]) await parts.host.services.shards.has(peerIdFromString(p.peerId), [probe])
    const fullRoom = parts.scorer.freeBytes(full.peerId)!
    assert.ok(fullRoom < 1000, `the full peer told ${fullRoom} bytes of room`)
    assert.ok(parts.scorer.factors(full.peerId).capacity < 0.5, 'a full peer scores low on capacity')
    const room = b.services.parts.disk.room()
    const told = parts.scorer.freeBytes(b.peerId)!
    assert.ok(told > 0 && Math.abs(told - room) <= 0.01 * room + 1e6, `b told ${told}, has ${room}`)

    // Only the full peer may take this shard: it is left out unasked, so the placement finds too
    // few peers (a peer asked and refusing would make it a PlacementError naming the refusal).
    const body = randomBytes(1000)
    const id = await sha256(body)
    const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 1, parityShards: 0 }
    const header = await signShardHeader(parts.userKey, id, shardHeaderOf(fields, body))
    await assert.rejects(
      placeShards(parts, {
        shards: [{ index: 0, id, bytes: body, header }],
        exclude: new Set([a.peerId, b.peerId, c.peerId]),
        what: 'probe',
        signal: AbortSignal.timeout(30_000)
      }),
      (err: Error) => {
        assert.equal(err.name, 'NotEnoughPeersError')
        assert.match(err.message, /the network has 0 \(1 more reports no room for a 1000-byte shard\)/)
        return true
      }
    )
    // An upload over the four: the full peer holds none of it.
    const src = join(root, 'file')
    await writeFile(src, randomBytes(300_000))
    const put = await a.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const holders = put.placement.flatMap((s) => s.shards.map((sh) => sh.peerId))
    assert.equal(holders.length, 3 * put.placement.length)
    assert.ok(!holders.includes(full.peerId), 'the full peer got a shard')
    assert.ok(parts.scorer.freeBytes(c.peerId) !== undefined, "c's put answers told its room")
  })

  it('caps a claim: a peer that overstates its room gains little', () => {
    const scorer = new PeerScorer({ priorWeight: 1e-9 })
    recordFreeBytes(scorer, 'honest', 1e12)
    recordFreeBytes(scorer, 'liar', Number.MAX_SAFE_INTEGER)
    const cap = 10 * scorer.references.freeBytes
    assert.equal(scorer.freeBytes('liar'), cap)
    assert.equal(scorer.freeBytes('honest'), 1e12)
    // as much as a peer with 1 TB free, never the 1.0 an unbounded claim would give
    assert.equal(scorer.factors('liar').capacity, scorer.factors('honest').capacity)
    assert.ok(scorer.factors('liar').capacity <= 10 / 11 + 1e-9)
    recordFreeBytes(scorer, 'odd', -5)
    assert.equal(scorer.freeBytes('odd'), undefined, 'a negative claim is no claim')
  })
})
