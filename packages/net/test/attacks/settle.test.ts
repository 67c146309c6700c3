// Every request settles by its deadline, however the other side behaves: a holder that never
// reads (the client's stream is aborted at the muxer's write limit, where the drain it waited for
// never came), a holder that never answers, and, on the serving side, a sender that trickles.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { encodeFrame, encodeShardRequest, frameHeader, SHARD_PROTOCOL } from '@defs/segment'
import type { Host } from '../../src/host.ts'
import { makeShard } from '../fixtures.ts'
import { waitFor } from '../network.ts'
import { Stage } from './stage.ts'

const MiB = 1024 * 1024

/** `work` settled (either way) within `ms`; a hang fails the test instead of stalling the suite. */
async function settlesWithin(ms: number, work: Promise<unknown>[]): Promise<PromiseSettledResult<unknown>[]> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms)
  })
  try {
    const outcome = await Promise.race([Promise.allSettled(work), hung])
    assert.notEqual(outcome, 'hung', `requests still unsettled after ${ms} ms`)
    return outcome as PromiseSettledResult<unknown>[]
  } finally {
    clearTimeout(timer)
  }
}

describe('attack: requests that would never end', () => {
  let stage: Stage
  let tarpit: Host
  before(async () => {
    stage = await Stage.open({ limits: { requestTimeout: 2000 } })
    tarpit = await stage.host()
    // a "holder" that takes shard streams and neither reads nor answers them
    await tarpit.handle(SHARD_PROTOCOL, () => {}, { maxInboundStreams: 64 })
  })
  after(() => stage.stop())

  it('settles concurrent large puts by their signal when the stream is aborted at the write limit', async () => {
    // a write buffer smaller than a frame: the muxer aborts the stream inside send()
    const client = await stage.host({ limits: { maxStreamBufferBytes: 512 * 1024 } })
    await client.dial(tarpit.getMultiaddrs()[0]!)
    const shards = await Promise.all([1, 2, 3, 4].map(() => makeShard(8 * MiB)))
    const results = await settlesWithin(
      20_000,
      shards.map((s) =>
        client.services.shards.put(tarpit.peerId, s.header, s.bytes, {
          id: s.id,
          signal: AbortSignal.timeout(2000)
        })
      )
    )
    for (const r of results) assert.equal(r.status, 'rejected')
  })

  it('settles puts and gets to a peer that never answers by the request timeout, without a signal', async () => {
    const client = await stage.host({ shards: { limits: { requestTimeout: 1500 } } })
    await client.dial(tarpit.getMultiaddrs()[0]!)
    const shard = await makeShard(3 * MiB)
    const results = await settlesWithin(20_000, [
      client.services.shards.put(tarpit.peerId, shard.header, shard.bytes),
      client.services.shards.get(tarpit.peerId, shard.id),
      client.services.shards.has(tarpit.peerId, [shard.id])
    ])
    for (const r of results) assert.equal(r.status, 'rejected')
  })

  it('ends a put whose sender trickles its body at the request timeout, and gives back all it held', async () => {
    const { holder } = stage
    const stranger = await stage.stranger()
    const shard = await makeShard(4 * MiB)
    const stream = await stranger.dialProtocol(holder.peerId, SHARD_PROTOCOL)
    stream.send(encodeFrame(encodeShardRequest({ kind: 'put', header: shard.header, id: shard.id })))
    stream.send(frameHeader(MiB))
    // a byte now and then: past the first-byte deadline, never done
    const trickle = setInterval(() => {
      try {
        stream.send(shard.bytes.subarray(0, 1))
      } catch {
        clearInterval(trickle)
      }
    }, 100)
    try {
      await waitFor(() => holder.services.shards.held().reserved > 0, 5000, 'the put under way')
      await waitFor(() => stream.status !== 'open', 10_000, 'the holder to end the put')
    } finally {
      clearInterval(trickle)
    }
    await waitFor(() => holder.services.shards.inUse(stranger.peerId).streams === 0, 5000, 'its stream freed')
    assert.deepEqual(holder.services.shards.held(), { memory: 0, strangerMemory: 0, reserved: 0 })
    assert.deepEqual(holder.services.shards.inUse(stranger.peerId), { streams: 0, bytes: 0 })
    assert.equal(await stage.store.has(shard.id), false)
    await stage.honestWork(1)
  })
})
