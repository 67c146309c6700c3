// Receiving a put: the owner's signature, the caps and the room are checked before the body is
// read; then room is reserved as the body arrives (per peer in flight, node memory, stored-bytes
// quotas), the first byte must come within a deadline, and the bytes must hash to the shard id.
import { createCrc32c, createSha256 } from '@defs/crypto'
import {
  limits as codecLimits,
  FrameOverrunError,
  type FrameReader,
  type ShardRequest,
  type ShardResponse,
  ShardStatus,
  SignatureError,
  verifyShardHeader
} from '@defs/segment'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { ClaimDeletedError, QuotaExceededError, ShardProtocolError } from './errors.ts'
import { holdMemory, type MemoryHold } from './memory-hold.ts'
import { Refusal, type ServeContext } from './serve-context.ts'
import { sameClaim } from './shard-store.ts'
import type { Reservation } from './storage-admission.ts'

/** Room is reserved this much at a time as a body arrives. */
const RESERVE_STEP = 1024 * 1024

export interface PutOutcome {
  response: ShardResponse
  /** The body was not (all) read: the stream is reset after the response. */
  bodyUnread: boolean
}

export async function servePut(
  ctx: ServeContext,
  request: Extract<ShardRequest, { kind: 'put' }>,
  frames: FrameReader,
  stream: Stream,
  connection: Connection
): Promise<PutOutcome> {
  const { header, id } = request
  const peer = connection.remotePeer
  if (!ctx.accepting()) throw new Refusal(ShardStatus.Maintenance, 'node is in maintenance')
  if (header.length > ctx.limits.maxShardSize) {
    throw new Refusal(
      ShardStatus.TooLarge,
      `shard of ${header.length} bytes exceeds maxShardSize ${ctx.limits.maxShardSize}`
    )
  }
  try {
    await verifyShardHeader(id, header)
  } catch (err) {
    if (!(err instanceof SignatureError)) throw err
    ctx.misbehaved(peer, 'bad-signature', `shard ${hex(id)}: ${err.message}`)
    throw new Refusal(ShardStatus.Unauthorized, `shard ${hex(id)}: ${err.message}`)
  }
  const claims = await ctx.store.claims(id)
  if (claims.some((c) => sameClaim(c, header)))
    return { response: { kind: 'ok' }, bodyUnread: header.length > 0 }
  if (claims.length >= codecLimits.maxClaimsPerShard) {
    throw new Refusal(
      ShardStatus.NoSpace,
      `shard ${hex(id)} has ${claims.length} claims, the most it may have`
    )
  }
  if (header.length > ctx.limits.maxBytesInFlightPerPeer) {
    throw ctx.breach(
      peer,
      'too-many-bytes',
      `a ${header.length}-byte shard exceeds ${ctx.limits.maxBytesInFlightPerPeer} in flight`
    )
  }
  const uploader = ctx.uploaderOf(peer, connection)
  // A new claim on a shard held already still brings the body: it proves the owner has the bytes,
  // and it is charged to the uploader like a shard of its own.
  const reservation = ctx.admission.open(uploader, claims.length === 0)
  const why = await ctx.admission.reserve(reservation, header.length, true)
  if (why !== undefined) throw new Refusal(ShardStatus.NoSpace, why)
  const held = { inFlight: 0, memory: holdMemory(ctx, peer) }
  try {
    const body = await receiveBody(ctx, frames, stream, peer, header.length, reservation, held)
    if (!equalBytes(body.sha256, id)) {
      const detail = `shard ${hex(id)} hashes to ${hex(body.sha256)}`
      ctx.misbehaved(peer, 'corrupt-shard', detail)
      throw new Refusal(ShardStatus.Corrupt, detail)
    }
    if (body.crc32c !== header.crc32c) {
      const detail = `shard ${hex(id)} CRC32C is ${body.crc32c}, its header says ${header.crc32c}`
      ctx.misbehaved(peer, 'corrupt-shard', detail)
      throw new Refusal(ShardStatus.Corrupt, detail)
    }
    let copies: number | undefined
    try {
      const counted = await ctx.store.put(id, body.pieces, { ...header, uploader })
      if (typeof counted === 'number') copies = counted
    } catch (err) {
      // the store's own bound (a disk store's quota, the claims a shard may have) refuses like ours
      if (err instanceof QuotaExceededError) throw new Refusal(ShardStatus.NoSpace, err.message)
      if (err instanceof ClaimDeletedError) throw new Refusal(ShardStatus.Replay, err.message)
      throw err
    }
    return {
      response: typeof copies === 'number' ? { kind: 'ok', copies } : { kind: 'ok' },
      bodyUnread: false
    }
  } finally {
    ctx.admission.release(reservation)
    ctx.budget.releaseBytes(peer.toString(), held.inFlight)
    held.memory.release()
  }
}

/**
 * Exactly `length` bytes from the frames after a put, hashed as they arrive and kept as the
 * pieces they came in (the store writes them out without joining them). Room for them is
 * reserved a step ahead of what arrived, never for what was only announced.
 */
async function receiveBody(
  ctx: ServeContext,
  frames: FrameReader,
  stream: Stream,
  peer: PeerId,
  length: number,
  reservation: Reservation,
  held: { inFlight: number; memory: MemoryHold }
): Promise<{ pieces: Uint8Array[]; sha256: Uint8Array; crc32c: number }> {
  const key = peer.toString()
  const pieces: Uint8Array[] = []
  const sha = createSha256()
  const crc = createCrc32c()
  let received = 0
  let reserved = 0
  let stalled = false
  const firstByte =
    length === 0
      ? undefined
      : setTimeout(() => {
          stalled = true
          const detail = `no body byte within ${ctx.limits.firstByteTimeout} ms of a ${length}-byte put`
          stream.abort(ctx.breach(peer, 'stalled-body', detail))
        }, ctx.limits.firstByteTimeout)
  try {
    for await (const piece of frames.bodies(length)) {
      clearTimeout(firstByte)
      received += piece.byteLength
      while (received > reserved) {
        const step = Math.min(RESERVE_STEP, length - reserved)
        if (!ctx.budget.reserveBytes(key, step)) {
          throw ctx.breach(
            peer,
            'too-many-bytes',
            `more than ${ctx.limits.maxBytesInFlightPerPeer} shard bytes in flight`
          )
        }
        held.inFlight += step
        const full = held.memory.take(step)
        if (full !== undefined) throw new Refusal(ShardStatus.Busy, full)
        const why = await ctx.admission.reserve(reservation, step)
        if (why !== undefined) throw new Refusal(ShardStatus.NoSpace, why)
        reserved += step
      }
      sha.update(piece)
      crc.update(piece)
      pieces.push(piece)
    }
  } catch (err) {
    if (err instanceof FrameOverrunError)
      throw new ShardProtocolError(key, `sent more than the ${length} shard bytes its header announced`)
    if (stalled) throw new ShardProtocolError(key, `no body byte within ${ctx.limits.firstByteTimeout} ms`)
    throw err
  } finally {
    clearTimeout(firstByte)
  }
  return { pieces, sha256: sha.digest(), crc32c: crc.value() }
}
