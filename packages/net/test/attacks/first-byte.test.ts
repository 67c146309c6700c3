// Announced but never sent: put headers that promise 64 MiB and send no body reserve nothing,
// are reset at the first-byte deadline and get their senders banned; honest puts go on.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeFrame, encodeShardRequest, SHARD_PROTOCOL } from '@defs/segment'
import type { Stream } from '@libp2p/interface'
import { makeShard } from '../fixtures.ts'
import { waitFor } from '../network.ts'
import { Stage } from './stage.ts'

const MiB = 1024 * 1024

describe('attack: puts that never send their body', () => {
  let stage: Stage
  before(async () => {
    stage = await Stage.open({
      limits: {
        firstByteTimeout: 2500,
        maxStoredBytes: 128 * MiB,
        strangerBytesPerPeer: 65 * MiB,
        strangerBytesTotal: 128 * MiB,
        strangerBytesPerGroup: 128 * MiB
      }
    })
  })
  after(() => stage.stop())

  it('reserves nothing for them, resets them at the deadline, bans their senders', async () => {
    const { holder } = stage
    const strangers = await Promise.all(Array.from({ length: 10 }, () => stage.stranger()))
    const shard = await makeShard(64 * MiB)
    const request = encodeFrame(encodeShardRequest({ kind: 'put', header: shard.header, id: shard.id }))
    const streams: Stream[] = await Promise.all(
      strangers.map(async (s) => {
        const stream = await s.dialProtocol(holder.peerId, SHARD_PROTOCOL)
        stream.send(request)
        return stream
      })
    )
    // every header is in: each holds a stream, waiting for a body that does not come
    await waitFor(
      () => strangers.every((s) => holder.services.shards.inUse(s.peerId).streams === 1),
      5000,
      'the put headers to arrive'
    )
    assert.deepEqual(holder.services.shards.held(), { memory: 0, strangerMemory: 0, reserved: 0 })
    let mostReserved = 0
    const watch = setInterval(() => {
      mostReserved = Math.max(mostReserved, holder.services.shards.held().reserved)
    }, 2)
    try {
      // ten headers announce 640 MiB to a holder with room for 128 MiB: honest puts still fit
      await stage.honestWork(3, MiB)
      await waitFor(
        () => strangers.every((s) => holder.services.bans.isBanned(s.peerId)),
        10_000,
        'every sender banned'
      )
    } finally {
      clearInterval(watch)
    }
    assert.ok(mostReserved <= MiB, `${mostReserved} bytes reserved: no more than one honest put at a time`)
    for (const s of strangers) assert.ok(stage.reported(s, 'stalled-body') > 0)
    await waitFor(() => streams.every((s) => s.status !== 'open'), 10_000, 'their streams reset')
    await stage.honestWork(1, MiB)
  })
})
