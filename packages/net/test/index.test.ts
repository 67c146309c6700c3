import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, randomBytes, type SigningKey } from '@defs/crypto'
import {
  decodeIndexQuery,
  type Envelope,
  encodeFrame,
  encodeIndexAnswer,
  INDEX_PROTOCOL,
  sign
} from '@defs/segment'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Message } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import type { Host } from '../src/host.ts'
import { INDEX_TOPIC } from '../src/index-asking.ts'
import { signingKeyOf, signLocations } from '../src/location-records.ts'
import { MemoryShardStore } from '../src/memory-shard-store.ts'
import type { Misbehavior } from '../src/misbehavior.ts'
import { makeShard, signedManifest } from './fixtures.ts'
import { startNetwork, stopAll, waitForIndexMesh } from './network.ts'

const manifests = new Map<string, Envelope<'manifest'>>()
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

for (const transport of ['memory', 'tcp'] as const) {
  describe(`index broadcast over ${transport}`, () => {
    let hosts: Host[] = []
    const stores: MemoryShardStore[] = []
    const keys: PrivateKey[] = []
    const reports: { by: number; peer: string; reason: Misbehavior }[] = []
    let owner: SigningKey

    before(async () => {
      owner = await generateSigningKey()
      for (let i = 0; i < 5; i++) keys.push(await generateKeyPair('Ed25519'))
      hosts = await startNetwork(5, transport, (i) => {
        const store = new MemoryShardStore()
        stores.push(store)
        return {
          privateKey: keys[i],
          shards: { store },
          index: {
            holdings: async (fileId) => ({
              shards: await store.shardsOf(fileId),
              manifest: manifests.get(hexOf(fileId))
            })
          },
          onPeerMisbehaved: (peer, reason) => reports.push({ by: i, peer: peer.toString(), reason })
        }
      })
      await waitForIndexMesh(hosts)
    })
    after(() => stopAll(hosts))

    it('finds the holders of a file with one broadcast', async () => {
      const fileId = randomBytes(16)
      const shards = await Promise.all([0, 1, 2, 3].map((i) => makeShard(1000 + i, fileId, i)))
      await hosts[1]!.services.shards.put(hosts[2]!.peerId, shards[0]!.header, shards[0]!.bytes)
      await hosts[1]!.services.shards.put(hosts[2]!.peerId, shards[1]!.header, shards[1]!.bytes)
      await hosts[1]!.services.shards.put(hosts[3]!.peerId, shards[2]!.header, shards[2]!.bytes)
      const result = await hosts[4]!.services.index.lookup(fileId, { enough: 2, timeoutMs: 10_000 })
      assert.equal(result.source, 'broadcast')
      assert.deepEqual(result.rejected, [])
      const byPeer = new Map(
        result.locations.map((l) => [l.peer.toString(), l.record.shards.map(hexOf).sort()])
      )
      assert.deepEqual(
        byPeer.get(hosts[2]!.peerId.toString()),
        [shards[0]!.id, shards[1]!.id].map(hexOf).sort()
      )
      assert.deepEqual(byPeer.get(hosts[3]!.peerId.toString()), [hexOf(shards[2]!.id)])
      assert.equal(byPeer.size, 2)
      for (const l of result.locations) assert.ok(l.record.expires > Date.now())
    })

    it('still hears a holder after more late answers from it than the protocol has inbound streams', async () => {
      // Late answers (the lookup had settled) and answers to queries never sent are dropped; their
      // streams must be closed all the same, or after 32 of them (the protocol's inbound stream
      // limit) every later answer from that holder is refused and its lookups find nothing.
      const fileId = randomBytes(16)
      const shard = await makeShard(900, fileId)
      const holder = hosts[3]!
      await hosts[1]!.services.shards.put(holder.peerId, shard.header, shard.bytes)
      const late = { queryId: randomBytes(16), fileId, locations: [] }
      for (let i = 0; i < 40; i++) {
        const stream = await holder.dialProtocol(hosts[0]!.peerId, INDEX_PROTOCOL)
        stream.send(encodeFrame(encodeIndexAnswer({ ...late, queryId: randomBytes(16) })))
        await stream.close({ signal: AbortSignal.timeout(5000) })
      }
      const result = await hosts[0]!.services.index.lookup(fileId, {
        enough: 1,
        timeoutMs: 5000,
        dhtFallback: false
      })
      assert.deepEqual(
        result.locations.map((l) => l.peer.toString()),
        [holder.peerId.toString()]
      )
    })

    it('returns the owner-signed manifest when asked for it', async () => {
      const fileId = randomBytes(16)
      const { envelope } = await signedManifest(owner, fileId, 3)
      manifests.set(hexOf(fileId), envelope)
      const result = await hosts[0]!.services.index.lookup(fileId, { want: 'manifest', timeoutMs: 10_000 })
      assert.equal(result.source, 'broadcast')
      assert.equal(result.manifest?.manifest.seq, 3)
      assert.deepEqual(result.manifest?.manifest.fileId, fileId)
    })

    it('refuses forged, expired and tampered location records and names the sender', async () => {
      const fileId = randomBytes(16)
      const real = await makeShard(700, fileId)
      await hosts[1]!.services.shards.put(hosts[2]!.peerId, real.header, real.bytes)
      const mallory = hosts[3]!
      const malloryKey = await signingKeyOf(keys[3]!)
      const onQuery = (event: CustomEvent<Message>): void => {
        if (event.detail.topic !== INDEX_TOPIC) return
        const query = decodeIndexQuery(event.detail.data)
        if (hexOf(query.fileId) !== hexOf(fileId)) return
        void (async () => {
          // a record claiming host 2 holds the shard, signed by mallory
          const claim = {
            peer: hosts[2]!.peerId.toMultihash().bytes,
            fileId,
            shards: [real.id],
            issued: Date.now(),
            expires: Date.now() + 60_000
          }
          const forged = await sign('location', claim, malloryKey)
          const [expired] = await signLocations(
            malloryKey,
            mallory.peerId,
            fileId,
            [real.id],
            1,
            Date.now() - 10_000
          )
          const [honest] = await signLocations(malloryKey, mallory.peerId, fileId, [real.id], 60_000)
          const tampered = { ...honest!, payload: honest!.payload.slice() }
          tampered.payload[tampered.payload.length - 3]! ^= 1
          const answer = { queryId: query.queryId, fileId, locations: [forged, expired!, tampered] }
          const stream = await mallory.dialProtocol(hosts[0]!.peerId, INDEX_PROTOCOL)
          stream.send(encodeFrame(encodeIndexAnswer(answer)))
          await stream.close()
        })()
      }
      mallory.services.pubsub.addEventListener('message', onQuery)
      try {
        const result = await hosts[0]!.services.index.lookup(fileId, {
          enough: 2,
          timeoutMs: 3000,
          dhtFallback: false
        })
        assert.deepEqual(
          result.locations.map((l) => l.peer.toString()),
          [hosts[2]!.peerId.toString()],
          'only the honest holder remains'
        )
        assert.equal(result.rejected.length, 3)
        for (const err of result.rejected) {
          assert.equal(err.name, 'InvalidLocationRecordError')
          assert.equal(err.peer, mallory.peerId.toString())
        }
        assert.match(result.rejected.map((e) => e.message).join('\n'), /signed by/)
        assert.match(result.rejected.map((e) => e.message).join('\n'), /expired/)
        assert.match(result.rejected.map((e) => e.message).join('\n'), /does not verify/)
        assert.equal(
          reports.filter(
            (r) => r.by === 0 && r.peer === mallory.peerId.toString() && r.reason === 'forged-record'
          ).length >= 3,
          true
        )
      } finally {
        mallory.services.pubsub.removeEventListener('message', onQuery)
      }
    })

    it('falls back to DHT providers when the broadcast finds nobody', async () => {
      const fileId = randomBytes(16)
      const shard = await makeShard(900, fileId)
      const holder = hosts[2]!
      await hosts[1]!.services.shards.put(holder.peerId, shard.header, shard.bytes)
      await holder.services.index.routing.provide(fileId, { signal: AbortSignal.timeout(15_000) })
      holder.services.pubsub.unsubscribe(INDEX_TOPIC)
      try {
        const result = await hosts[4]!.services.index.lookup(fileId, { timeoutMs: 1500, settleMs: 100 })
        assert.equal(result.source, 'dht')
        assert.deepEqual(
          result.locations.map((l) => l.peer.toString()),
          [holder.peerId.toString()]
        )
        assert.deepEqual(result.locations[0]!.record.shards, [shard.id])
      } finally {
        holder.services.pubsub.subscribe(INDEX_TOPIC)
      }
    })

    it('keeps the newest valid manifest record in the DHT', async () => {
      const fileId = randomBytes(16)
      const v1 = await signedManifest(owner, fileId, 1)
      const v2 = await signedManifest(owner, fileId, 2)
      await hosts[1]!.services.index.routing.putManifest(v2.envelope, { signal: AbortSignal.timeout(15_000) })
      const found = await hosts[4]!.services.index.routing.getManifest(fileId, owner.publicKey, {
        signal: AbortSignal.timeout(15_000)
      })
      assert.equal(found?.manifest.seq, 2)
      // an envelope not signed by the owner never reaches the DHT
      const stranger = await generateSigningKey()
      const bad = { ...v1.envelope, publicKey: stranger.publicKey }
      await assert.rejects(hosts[1]!.services.index.routing.putManifest(bad), { name: 'SignatureError' })
      assert.equal(
        await hosts[4]!.services.index.routing.getManifest(randomBytes(16), owner.publicKey, {
          signal: AbortSignal.timeout(10_000)
        }),
        undefined
      )
    })
  })
}
