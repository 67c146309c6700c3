// Reads cost the holder what they ask for, not more: a 1-byte ranged get or an audit reads only
// its bytes from the store, and a whole get streams in frames holding at most two of them in
// memory. A shard that rotted in the holder's store is caught as it streams, reported, and never
// reaches the reader whole.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { randomBytes } from '@defs/crypto'
import { auditDigest, type ByteRange, SHARD_MAX_FRAME } from '@defs/segment'
import { MemoryShardStore } from '../../src/memory-shard-store.ts'
import { makeShard } from '../fixtures.ts'
import { Stage } from './stage.ts'

const MiB = 1024 * 1024

/** A memory store that counts the body bytes it hands out (what a disk store would read). */
class CountingStore extends MemoryShardStore {
  read_ = 0
  override async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const bytes = await super.get(id, range)
    this.read_ += bytes?.byteLength ?? 0
    return bytes
  }
  override async *read(
    id: Uint8Array,
    range: ByteRange | undefined,
    chunkSize: number
  ): AsyncIterable<Uint8Array> {
    for await (const piece of super.read(id, range, chunkSize)) {
      this.read_ += piece.byteLength
      yield piece
    }
  }
}

describe('attack: reads that would amplify', () => {
  let stage: Stage
  const store = new CountingStore({ checkReads: true })
  const rotted: string[] = []
  before(async () => {
    stage = await Stage.open({
      store,
      shards: { onCorruptShard: (id) => rotted.push(Buffer.from(id).toString('hex')) }
    })
  })
  after(() => stage.stop())

  it('reads only the bytes of a ranged get or an audit, and streams a whole get in frames', async () => {
    const { holder, honest } = stage
    const shard = await makeShard(32 * MiB)
    await honest.services.shards.put(holder.peerId, shard.header, shard.bytes, { id: shard.id })
    const stranger = await stage.stranger()
    store.read_ = 0
    for (let i = 0; i < 20; i++) {
      const offset = Math.floor(Math.random() * (32 * MiB - 1))
      const one = await stranger.services.shards.get(holder.peerId, shard.id, {
        range: { offset, length: 1 }
      })
      assert.deepEqual(one, shard.bytes.subarray(offset, offset + 1))
    }
    assert.equal(store.read_, 20, 'twenty 1-byte gets read twenty bytes')
    const challenge = {
      shard: shard.id,
      nonce: randomBytes(16),
      ranges: [
        { offset: 5, length: 100 },
        { offset: 20 * MiB, length: 4096 }
      ]
    }
    store.read_ = 0
    assert.deepEqual(
      await stranger.services.shards.audit(holder.peerId, challenge),
      await auditDigest(challenge, shard.bytes)
    )
    assert.equal(store.read_, 4196, 'an audit reads its ranges')
    let most = 0
    const watch = setInterval(() => {
      most = Math.max(most, holder.services.shards.held().memory)
    }, 1)
    try {
      assert.deepEqual(await stranger.services.shards.get(holder.peerId, shard.id), shard.bytes)
    } finally {
      clearInterval(watch)
    }
    assert.ok(most <= 2 * SHARD_MAX_FRAME, `a 32 MiB get held ${most} bytes at once`)
  })

  it('reports a shard that rotted here and never serves it whole', async () => {
    const { holder, honest } = stage
    const shard = await makeShard(3 * MiB)
    await honest.services.shards.put(holder.peerId, shard.header, shard.bytes, { id: shard.id })
    const body = (await store.get(shard.id))!
    body[2 * MiB + 5]! ^= 0x10 // bit rot
    const stranger = await stage.stranger()
    await assert.rejects(stranger.services.shards.get(holder.peerId, shard.id))
    assert.deepEqual(rotted, [Buffer.from(shard.id).toString('hex')])
  })
})
