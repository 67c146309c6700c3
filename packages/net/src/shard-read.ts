// Serving reads: a get streams the requested range (a whole shard is checked by the store as it
// goes) in frames, and an audit hashes only the challenged ranges, each read on its own. Both are
// counted against the peer's bytes in flight and the node's memory before anything is read.
import {
  type AuditChallenge,
  AuditRangeError,
  auditDigestOf,
  encodeShardResponse,
  ShardCorruptError,
  type ShardRequest,
  type ShardResponse,
  ShardStatus
} from '@defs/segment'
import type { PeerId, Stream } from '@libp2p/interface'
import { hex } from './bytes.ts'
import { holdMemory } from './memory-hold.ts'
import { Refusal, type ServeContext } from './serve-context.ts'
import { sendFrame } from './stream-io.ts'

export async function serveGet(
  ctx: ServeContext,
  request: Extract<ShardRequest, { kind: 'get' }>,
  stream: Stream,
  peer: PeerId,
  signal: AbortSignal
): Promise<void> {
  const { id } = request
  const header = await ctx.store.stat(id)
  if (header === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(id)}`)
  const offset = request.offset ?? 0
  const length = request.length ?? header.length - offset
  if (offset + length > header.length || length < 0) {
    throw new Refusal(
      ShardStatus.BadRequest,
      `range ${offset}+${length} outside the ${header.length}-byte shard`
    )
  }
  // a chunk being read and the one before it, still in the muxer's buffer
  const memory = Math.min(length, 2 * ctx.limits.maxFrameSize)
  await withBytes(ctx, peer, length, memory, async () => {
    await sendFrame(stream, encodeShardResponse({ kind: 'data', length }), { signal })
    const whole = offset === 0 && length === header.length
    let sent = 0
    try {
      for await (const piece of ctx.store.read(
        id,
        whole ? undefined : { offset, length },
        ctx.limits.maxFrameSize
      )) {
        await sendFrame(stream, piece, { signal })
        sent += piece.byteLength
      }
    } catch (err) {
      if (err instanceof ShardCorruptError) ctx.corrupt(id, err.message)
      throw err
    }
    if (sent !== length) throw new Error(`shard ${hex(id)} went away after ${sent} of ${length} bytes`)
    await stream.close({ signal })
  })
}

export async function serveAudit(
  ctx: ServeContext,
  challenge: AuditChallenge,
  peer: PeerId
): Promise<ShardResponse> {
  const header = await ctx.store.stat(challenge.shard)
  if (header === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(challenge.shard)}`)
  let total = 0
  let largest = 0
  for (const { length } of challenge.ranges) {
    total += length
    largest = Math.max(largest, length)
  }
  return withBytes(ctx, peer, total, largest, async () => {
    try {
      const digest = await auditDigestOf(challenge, header.length, async (range) => {
        const bytes = await ctx.store.get(challenge.shard, range)
        if (bytes === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(challenge.shard)}`)
        return bytes
      })
      return { kind: 'audit', response: { nonce: challenge.nonce, digest } }
    } catch (err) {
      if (err instanceof AuditRangeError) throw new Refusal(ShardStatus.BadRequest, err.message)
      throw err
    }
  })
}

/** Runs `read` holding `bytes` of the peer's budget and `memory` of the node's; 429 when either is full. */
async function withBytes<T>(
  ctx: ServeContext,
  peer: PeerId,
  bytes: number,
  memory: number,
  read: () => Promise<T>
): Promise<T> {
  const key = peer.toString()
  if (!ctx.budget.reserveBytes(key, bytes)) {
    throw new Refusal(
      ShardStatus.Busy,
      `${bytes} more bytes in flight exceed ${ctx.limits.maxBytesInFlightPerPeer}`
    )
  }
  const hold = holdMemory(ctx, peer)
  try {
    const full = hold.take(memory)
    if (full !== undefined) throw new Refusal(ShardStatus.Busy, full)
    return await read()
  } finally {
    hold.release()
    ctx.budget.releaseBytes(key, bytes)
  }
}
