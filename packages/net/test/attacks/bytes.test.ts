// Bytes in flight: a stranger that sends more shard bytes at once than its share is banned, and
// strangers together never hold more than their part of the node's memory; the honest client,
// whose own caps stay below the holder's, keeps working throughout.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ShardStatus } from '@defs/segment'
import { ShardRefusedError } from '../../src/errors.ts'
import { makeShard } from '../fixtures.ts'
import { waitFor } from '../network.ts'
import { Stage } from './stage.ts'

const MiB = 1024 * 1024

describe('attack: too many bytes in flight', () => {
  let stage: Stage
  before(async () => {
    stage = await Stage.open({
      limits: { maxBytesInFlightPerPeer: 8 * MiB, maxMemoryBytes: 64 * MiB, strangerMemoryBytes: 8 * MiB },
      honestLimits: { clientBytesPerPeer: 6 * MiB }
    })
  })
  after(() => stage.stop())

  it('bans a stranger that sends more bytes at once than its share', async () => {
    const { holder } = stage
    const stranger = await stage.stranger()
    const shards = await Promise.all([1, 2, 3].map(() => makeShard(4 * MiB)))
    const honest = stage.honestWork(4, 2 * MiB)
    const puts = await Promise.allSettled(
      shards.map((s) => stranger.services.shards.put(holder.peerId, s.header, s.bytes, { id: s.id }))
    )
    assert.ok(
      puts.some((p) => p.status === 'rejected'),
      'not every put of 12 MiB at once gets through an 8 MiB cap'
    )
    await waitFor(() => stage.reported(stranger, 'too-many-bytes') > 0, 10_000, 'bytes cap report')
    assert.equal(holder.services.bans.isBanned(stranger.peerId), true)
    await honest
    await waitFor(() => holder.services.shards.held().memory === 0, 10_000, 'memory given back')
    assert.equal(holder.services.shards.held().strangerMemory, 0)
  })

  it("keeps strangers within their part of the node's memory, and honest puts unrefused", async () => {
    const { holder } = stage
    const strangers = await Promise.all([1, 2, 3, 4, 5].map(() => stage.stranger()))
    let most = { memory: 0, strangerMemory: 0 }
    const watch = setInterval(() => {
      const now = holder.services.shards.held()
      most = {
        memory: Math.max(most.memory, now.memory),
        strangerMemory: Math.max(most.strangerMemory, now.strangerMemory)
      }
    }, 2)
    try {
      const attacks = Promise.allSettled(
        strangers.map(async (s) => {
          const shard = await makeShard(4 * MiB)
          return s.services.shards.put(holder.peerId, shard.header, shard.bytes, { id: shard.id })
        })
      )
      await stage.honestWork(4, 2 * MiB)
      const results = await attacks
      for (const r of results) {
        if (r.status === 'rejected') {
          assert.ok(
            r.reason instanceof ShardRefusedError && r.reason.status === ShardStatus.Busy,
            String(r.reason)
          )
        }
      }
      assert.ok(
        results.some((r) => r.status === 'rejected'),
        'five 4 MiB bodies do not fit 8 MiB of stranger memory'
      )
    } finally {
      clearInterval(watch)
    }
    assert.ok(most.strangerMemory <= 8 * MiB, `strangers held ${most.strangerMemory} bytes`)
    assert.ok(most.memory <= 64 * MiB, `the node held ${most.memory} bytes`)
    for (const s of strangers)
      assert.equal(holder.services.bans.isBanned(s.peerId), false, 'a full budget is not their fault')
  })
})
