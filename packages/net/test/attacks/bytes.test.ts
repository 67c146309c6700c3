// Bytes in flight: a stranger that sends more shard bytes at once than its share is banned, and
// strangers together never hold more than their part of the node's memory; the honest client,
// whose own caps stay below the holder's, keeps working throughout.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  decodeShardResponse,
  encodeFrame,
  encodeShardRequest,
  FrameReader,
  SHARD_PROTOCOL,
  ShardStatus
} from '@defs/segment'
import type { Stream } from '@libp2p/interface'
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
    const honest = stage.honestWork(4, 2 * MiB)
    // three puts of 4 MiB, each left at 3 MiB: none ends, so 9 MiB are in flight at once
    const shards = await Promise.all([1, 2, 3].map(() => makeShard(4 * MiB)))
    const streams = await Promise.all(shards.map(() => stranger.dialProtocol(holder.peerId, SHARD_PROTOCOL)))
    for (const [i, stream] of streams.entries()) {
      const { header, id, bytes } = shards[i]!
      try {
        stream.send(encodeFrame(encodeShardRequest({ kind: 'put', header, id })))
        for (let at = 0; at < 3 * MiB; at += MiB) stream.send(encodeFrame(bytes.subarray(at, at + MiB)))
      } catch {
        // cut off already
      }
    }
    await waitFor(() => stage.reported(stranger, 'too-many-bytes') > 0, 10_000, 'bytes cap report')
    assert.equal(holder.services.bans.isBanned(stranger.peerId), true)
    await waitFor(() => streams.every((s) => s.status !== 'open'), 10_000, 'its streams reset')
    await honest
    await waitFor(() => holder.services.shards.held().memory === 0, 10_000, 'memory given back')
    assert.equal(holder.services.shards.held().strangerMemory, 0)
    for (const s of shards) assert.equal(await stage.store.has(s.id), false)
  })

  it("keeps strangers within their part of the node's memory, and honest puts unrefused", async () => {
    const { holder } = stage
    const strangers = await Promise.all([1, 2, 3, 4, 5].map(() => stage.stranger()))
    // each sends 3 MiB of a 4 MiB body and waits: together they would hold 15 MiB
    const shard = await makeShard(4 * MiB)
    const streams = await Promise.all(strangers.map((s) => s.dialProtocol(holder.peerId, SHARD_PROTOCOL)))
    const answers = streams.map((stream) => {
      stream.send(encodeFrame(encodeShardRequest({ kind: 'put', header: shard.header, id: shard.id })))
      for (let at = 0; at < 3 * MiB; at += MiB) stream.send(encodeFrame(shard.bytes.subarray(at, at + MiB)))
      return firstAnswer(stream)
    })
    let most = { memory: 0, strangerMemory: 0 }
    const watch = setInterval(() => {
      const now = holder.services.shards.held()
      most = {
        memory: Math.max(most.memory, now.memory),
        strangerMemory: Math.max(most.strangerMemory, now.strangerMemory)
      }
    }, 2)
    try {
      // Two fit their 3 MiB each in 8 MiB of stranger memory; the three that did not are told
      // "busy" (the moment the share is full is too short to watch for; the answers are not).
      const answered: (number | undefined)[] = []
      for (const a of answers) void a.then((status) => answered.push(status))
      await waitFor(
        () => answered.filter((a) => a === ShardStatus.Busy).length >= 3,
        10_000,
        'three strangers refused as busy'
      )
      // The bytes of the two that fit may still be on their way (a loaded machine): wait for them.
      await waitFor(
        () => holder.services.shards.held().strangerMemory === 6 * MiB,
        10_000,
        'the two that fit to hold their 3 MiB each'
      )
      await stage.honestWork(4, 2 * MiB)
      const busy = (await Promise.all(answers.slice(0, 5).map((a) => Promise.race([a, sleep(2000)])))).filter(
        (a) => a === ShardStatus.Busy
      )
      assert.equal(busy.length, 3, 'two fit 8 MiB of stranger memory, three were refused')
    } finally {
      clearInterval(watch)
      for (const stream of streams) stream.abort(new Error('test done'))
    }
    assert.ok(most.strangerMemory <= 8 * MiB, `strangers held ${most.strangerMemory} bytes`)
    assert.ok(most.memory <= 64 * MiB, `the node held ${most.memory} bytes`)
    for (const s of strangers) {
      assert.equal(holder.services.bans.isBanned(s.peerId), false, 'a full budget is not their fault')
    }
    await waitFor(() => holder.services.shards.held().memory === 0, 10_000, 'memory given back')
  })
})

const sleep = (ms: number): Promise<undefined> =>
  new Promise((resolve) => setTimeout(() => resolve(undefined), ms))

/** The status of the holder's first answer on a raw put stream (undefined if none came). */
async function firstAnswer(stream: Stream): Promise<number | undefined> {
  try {
    const frame = await new FrameReader(stream, { maxFrameSize: MiB }).next()
    if (frame === undefined) return undefined
    const response = decodeShardResponse(frame)
    return response.kind === 'error' ? response.status : 200
  } catch {
    return undefined
  }
}
