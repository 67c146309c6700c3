import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { randomBytes } from '@defs/crypto'
import {
  encodeFrame,
  encodeShardRequest,
  encodeShardResponse,
  frameHeader,
  SHARD_PROTOCOL,
  ShardStatus
} from '@defs/segment'
import { ShardProtocolError, ShardRefusedError } from '../src/errors.ts'
import type { Host } from '../src/host.ts'
import { MemoryShardStore } from '../src/memory-shard-store.ts'
import type { Misbehavior } from '../src/misbehavior.ts'
import { makeShard } from './fixtures.ts'
import { startNetwork, stopAll } from './network.ts'

const MiB = 1024 * 1024

describe('shard protocol caps', () => {
  let hosts: Host[] = []
  const store = new MemoryShardStore()
  const reports: { peer: string; reason: Misbehavior }[] = []
  let accepting = true

  before(async () => {
    hosts = await startNetwork(3, 'memory', (i) =>
      i === 0
        ? {
            shards: {
              store,
              limits: { maxStreamsPerPeer: 2, maxBytesInFlightPerPeer: 12 * MiB, maxShardSize: 16 * MiB },
              accepting: () => accepting,
              onPeerMisbehaved: (peer, reason) => reports.push({ peer: peer.toString(), reason })
            }
          }
        : {}
    )
  })
  after(() => stopAll(hosts))

  const server = (): Host => hosts[0]!
  const client = (): Host => hosts[1]!
  const reported = (reason: Misbehavior): number =>
    reports.filter((r) => r.peer === client().peerId.toString() && r.reason === reason).length

  // On Bun 1.4 the stream of this 10 MiB put is reset (or, after the other tests, never drains),
  // while the same put outside this 12 MiB per-peer budget passes; the cause is not found yet.
  const bunResets =
    'Bun' in globalThis && 'Bun resets the stream of a 10 MiB put under a 12 MiB per-peer budget'
  it('moves shards larger than the stream write buffer both ways', { skip: bunResets }, async () => {
    const shard = await makeShard(10 * MiB + 5)
    await client().services.shards.put(server().peerId, shard.header, shard.bytes)
    assert.deepEqual(await client().services.shards.get(server().peerId, shard.id), shard.bytes)
    // again: the server already holds it, answers at once and drops the rest of the body
    const count = store.count
    assert.deepEqual(await client().services.shards.put(server().peerId, shard.header, shard.bytes), shard.id)
    assert.equal(store.count, count)
  })

  it('refuses a shard above maxShardSize before reading it', async () => {
    const shard = await makeShard(1024)
    const stream = await client().dialProtocol(server().peerId, SHARD_PROTOCOL)
    const header = { ...shard.header, length: 16 * MiB + 1 }
    stream.send(encodeFrame(encodeShardRequest({ kind: 'put', header, id: shard.id })))
    const { decodeShardResponse, readFrames } = await import('@defs/segment')
    const first = await readFrames(stream, { maxFrameSize: MiB }).next()
    const response = decodeShardResponse(first.value as Uint8Array)
    assert.deepEqual(response.kind === 'error' ? response.status : response.kind, ShardStatus.TooLarge)
  })

  it('answers a malformed request with 400 and reports it', async () => {
    const stream = await client().dialProtocol(server().peerId, SHARD_PROTOCOL)
    stream.send(encodeFrame(new Uint8Array([0xa1, 0x01, 0x02])))
    await stream.close()
    const { decodeShardResponse, readFrames } = await import('@defs/segment')
    const first = await readFrames(stream, { maxFrameSize: MiB }).next()
    const response = decodeShardResponse(first.value as Uint8Array)
    assert.equal(response.kind === 'error' && response.status, ShardStatus.BadRequest)
    assert.ok(reported('malformed-message') > 0)
  })

  it('refuses puts with 503 while the node is in maintenance', async () => {
    const shard = await makeShard(2048)
    accepting = false
    try {
      await assert.rejects(
        client().services.shards.put(server().peerId, shard.header, shard.bytes),
        (err: Error) => err instanceof ShardRefusedError && err.status === ShardStatus.Maintenance
      )
    } finally {
      accepting = true
    }
    await client().services.shards.put(server().peerId, shard.header, shard.bytes)
    assert.equal(await store.has(shard.id), true)
  })

  it('fails a get cleanly when the serving peer disconnects mid-transfer', async () => {
    const liar = hosts[2]!
    await liar.handle(SHARD_PROTOCOL, async (stream) => {
      for await (const _ of stream) break
      stream.send(encodeFrame(encodeShardResponse({ kind: 'data', length: 4 * MiB })))
      stream.send(frameHeader(MiB))
      stream.send(randomBytes(300 * 1024))
      await new Promise((resolve) => setTimeout(resolve, 50))
      for (const connection of liar.getConnections(client().peerId)) connection.abort(new Error('gone'))
    })
    await assert.rejects(
      client().services.shards.get(liar.peerId, randomBytes(32)),
      (err: Error) => err instanceof ShardProtocolError && err.peer === liar.peerId.toString()
    )
    // the client is not stuck: it still talks to the honest server
    assert.deepEqual(await client().services.shards.has(server().peerId, [randomBytes(32)]), [false])
  })
})
