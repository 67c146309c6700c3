// Replayed deletes: a stranger that captured an owner's signed delete cannot use it on another
// holder (it names its recipient), nor again after the holder restarts (it was signed before the
// holder started), nor twice (its nonce is kept).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ShardStatus } from '@defs/segment'
import { ReplayError, ShardRefusedError } from '../../src/errors.ts'
import { makeShard, signedDelete, testOwner } from '../fixtures.ts'
import { Stage } from './stage.ts'

describe('attack: replayed deletes', () => {
  let stage: Stage
  before(async () => {
    stage = await Stage.open()
  })
  after(() => stage.stop())

  it('refuses a delete meant for another holder', async () => {
    const { holder, honest } = stage
    const stranger = await stage.stranger()
    const shard = await makeShard(2000)
    await honest.services.shards.put(holder.peerId, shard.header, shard.bytes)
    // the owner's delete of its copy on the stranger, replayed by the stranger to the holder
    const forStranger = await signedDelete(testOwner, stranger.peerId, shard.header.fileId, [shard.id])
    await assert.rejects(
      stranger.services.shards.delete(holder.peerId, forStranger),
      (err: Error) => err instanceof ShardRefusedError && err.status === ShardStatus.Unauthorized
    )
    assert.equal(await stage.store.has(shard.id), true)
    assert.ok(stage.reported(stranger, 'replay') > 0)
  })

  it('refuses, after a restart, a delete used before it', async () => {
    const stranger = await stage.stranger()
    const shard = await makeShard(3000)
    const { fileId } = shard.header
    await stage.honest.services.shards.put(stage.holder.peerId, shard.header, shard.bytes)
    const request = await signedDelete(testOwner, stage.holder.peerId, fileId, [])
    await stage.honest.services.shards.delete(stage.holder.peerId, request)
    assert.equal(await stage.store.has(shard.id), false)
    // the owner stores the file again; the holder restarts (its nonces were in memory only)
    await stage.honest.services.shards.put(stage.holder.peerId, shard.header, shard.bytes)
    await stage.restartHolder()
    await stage.reconnect(stranger)
    await assert.rejects(stranger.services.shards.delete(stage.holder.peerId, request), ReplayError)
    assert.equal(await stage.store.has(shard.id), true, 'the replay removed nothing')
    // a fresh delete from the owner still works, once
    const fresh = await signedDelete(testOwner, stage.holder.peerId, fileId, [])
    await stage.honest.services.shards.delete(stage.holder.peerId, fresh)
    assert.equal(await stage.store.has(shard.id), false)
    await stage.honest.services.shards.put(stage.holder.peerId, shard.header, shard.bytes)
    await assert.rejects(stranger.services.shards.delete(stage.holder.peerId, fresh), ReplayError)
    assert.equal(await stage.store.has(shard.id), true)
  })
})
