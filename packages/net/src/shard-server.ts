// The serving side of `/defs/shard/1.0.0`: one request per stream, every cap checked before the
// bytes it guards are allocated, shards verified against their id before they are stored.
import { createCrc32c, createSha256, type PublicKey } from '@defs/crypto'
import {
  AuditRangeError,
  auditDigest,
  DecodeError,
  type DeleteRequest,
  decodeShardRequest,
  type Envelope,
  encodeShardResponse,
  FrameOverrunError,
  FrameReader,
  FrameTooLargeError,
  MalformedFrameError,
  type ShardHeader,
  type ShardRequest,
  type ShardResponse,
  ShardStatus,
  TruncatedFrameError,
  verify
} from '@defs/segment'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { PeerLimitError, QuotaExceededError, ShardProtocolError } from './errors.ts'
import { type Misbehavior, type MisbehaviorHook, reportMisbehavior } from './misbehavior.ts'
import { PeerBudget } from './peer-budget.ts'
import { ReplayGuard } from './replay-guard.ts'
import type { ShardLimits } from './shard-limits.ts'
import type { ShardStore } from './shard-store.ts'
import { sendFrame } from './stream-io.ts'

/** May `bytes` more be stored? `pendingBytes` are reserved by puts still being received. */
export type QuotaCheck = (request: {
  peer: PeerId
  bytes: number
  pendingBytes: number
}) => boolean | Promise<boolean>

export interface ShardServerOptions {
  store: ShardStore
  limits: ShardLimits
  /** Default: stored + pending + new bytes within `limits.maxStoredBytes`. */
  quota?: QuotaCheck
  /** False while the node is in maintenance: puts are refused with 503. */
  accepting?: () => boolean
  onPeerMisbehaved?: MisbehaviorHook
  log: Logger
}

/** A well-formed request the server declines; becomes an `error` response. */
class Refusal extends Error {
  override name = 'Refusal'
  readonly status: ShardStatus
  constructor(status: ShardStatus, message: string) {
    super(message)
    this.status = status
  }
}

export class ShardServer {
  private readonly options: ShardServerOptions
  private readonly limits: ShardLimits
  private readonly budget: PeerBudget
  private readonly replay: ReplayGuard
  private pendingBytes = 0

  constructor(options: ShardServerOptions) {
    this.options = options
    this.limits = options.limits
    this.budget = new PeerBudget(options.limits)
    this.replay = new ReplayGuard({ windowMs: options.limits.deleteWindowMs })
  }

  /** What a peer holds of our per-peer budget now. */
  inUse(peer: PeerId): { streams: number; bytes: number } {
    return this.budget.inUse(peer.toString())
  }

  /** The stream handler of SHARD_PROTOCOL. */
  readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const key = peer.toString()
    if (!this.budget.openStream(key)) {
      const detail = `more than ${this.limits.maxStreamsPerPeer} concurrent shard streams`
      this.misbehaved(peer, 'too-many-streams', detail)
      stream.abort(new PeerLimitError(key, detail))
      return
    }
    const timer = setTimeout(() => {
      stream.abort(new ShardProtocolError(key, `request not done within ${this.limits.requestTimeout} ms`))
    }, this.limits.requestTimeout)
    const frames = new FrameReader(stream, { maxFrameSize: this.limits.maxFrameSize })
    try {
      const first = await frames.next()
      if (first === undefined) throw new TruncatedFrameError('stream closed before a request')
      let request: ShardRequest
      try {
        request = decodeShardRequest(first)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        this.misbehaved(peer, 'malformed-message', err.message)
        await respond(stream, { kind: 'error', status: ShardStatus.BadRequest, message: err.message })
        return
      }
      const { response, bodyUnread } = await this.answer(request, frames, stream, peer)
      if (response !== undefined) await respond(stream, response)
      // a put refused before its body was read: drop the rest instead of reading it
      if (bodyUnread) stream.abort(new ShardProtocolError(key, 'put refused, rest of body dropped'))
    } catch (err) {
      if (err instanceof FrameTooLargeError || err instanceof MalformedFrameError) {
        this.misbehaved(peer, 'oversize-frame', err.message)
      }
      this.options.log('shard stream from %p failed: %s', peer, err instanceof Error ? err.message : err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      clearTimeout(timer)
      this.budget.closeStream(key)
      void frames.close().catch(() => {})
    }
  }

  private async answer(
    request: ShardRequest,
    frames: FrameReader,
    stream: Stream,
    peer: PeerId
  ): Promise<{ response?: ShardResponse; bodyUnread: boolean }> {
    try {
      switch (request.kind) {
        case 'put':
          return await this.put(request.header, request.id, frames, peer)
        case 'get':
          await this.get(request, stream, peer)
          return { bodyUnread: false }
        case 'has':
          return { response: { kind: 'has', have: await this.has(request.ids) }, bodyUnread: false }
        case 'delete':
          await this.delete(request.request, peer)
          return { response: { kind: 'ok' }, bodyUnread: false }
        case 'audit':
          return { response: await this.audit(request), bodyUnread: false }
      }
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      const response: ShardResponse = {
        kind: 'error',
        status: err.status,
        message: err.message.slice(0, 512)
      }
      return { response, bodyUnread: request.kind === 'put' && err.status !== ShardStatus.Corrupt }
    }
  }

  private async put(
    header: ShardHeader,
    id: Uint8Array,
    frames: FrameReader,
    peer: PeerId
  ): Promise<{ response: ShardResponse; bodyUnread: boolean }> {
    const { store } = this.options
    if (this.options.accepting?.() === false)
      throw new Refusal(ShardStatus.Maintenance, 'node is in maintenance')
    if (header.length > this.limits.maxShardSize) {
      throw new Refusal(
        ShardStatus.TooLarge,
        `shard of ${header.length} bytes exceeds maxShardSize ${this.limits.maxShardSize}`
      )
    }
    if (await store.has(id)) return { response: { kind: 'ok' }, bodyUnread: header.length > 0 }
    const key = peer.toString()
    if (!this.budget.reserveBytes(key, header.length)) {
      const detail = `${header.length} more bytes in flight exceed ${this.limits.maxBytesInFlightPerPeer}`
      this.misbehaved(peer, 'too-many-bytes', detail)
      throw new PeerLimitError(key, detail)
    }
    try {
      if (!(await this.quotaAllows(peer, header.length))) {
        throw new Refusal(ShardStatus.NoSpace, `no room for ${header.length} more bytes`)
      }
      this.pendingBytes += header.length
      try {
        const body = await receiveBody(frames, header.length, key)
        if (!equalBytes(body.sha256, id)) {
          const detail = `shard ${hex(id)} hashes to ${hex(body.sha256)}`
          this.misbehaved(peer, 'corrupt-shard', detail)
          throw new Refusal(ShardStatus.Corrupt, detail)
        }
        if (body.crc32c !== header.crc32c) {
          const detail = `shard ${hex(id)} CRC32C is ${body.crc32c}, its header says ${header.crc32c}`
          this.misbehaved(peer, 'corrupt-shard', detail)
          throw new Refusal(ShardStatus.Corrupt, detail)
        }
        try {
          await store.put(id, body.pieces, header)
        } catch (err) {
          // the store's own bound (a disk store's quota) refuses like ours does
          if (err instanceof QuotaExceededError) throw new Refusal(ShardStatus.NoSpace, err.message)
          throw err
        }
        return { response: { kind: 'ok' }, bodyUnread: false }
      } finally {
        this.pendingBytes -= header.length
      }
    } finally {
      this.budget.releaseBytes(key, header.length)
    }
  }

  private async get(
    request: Extract<ShardRequest, { kind: 'get' }>,
    stream: Stream,
    peer: PeerId
  ): Promise<void> {
    const { store } = this.options
    const header = await store.stat(request.id)
    if (header === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(request.id)}`)
    const offset = request.offset ?? 0
    const length = request.length ?? header.length - offset
    if (offset + length > header.length || length < 0) {
      throw new Refusal(
        ShardStatus.BadRequest,
        `range ${offset}+${length} outside the ${header.length}-byte shard`
      )
    }
    const key = peer.toString()
    if (!this.budget.reserveBytes(key, length)) {
      throw new Refusal(
        ShardStatus.Busy,
        `${length} more bytes in flight exceed ${this.limits.maxBytesInFlightPerPeer}`
      )
    }
    try {
      const whole = offset === 0 && length === header.length
      const bytes = await store.get(request.id, whole ? undefined : { offset, length })
      if (bytes === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(request.id)}`)
      await sendFrame(stream, encodeShardResponse({ kind: 'data', length: bytes.byteLength }))
      for (let at = 0; at < bytes.byteLength; at += this.limits.maxFrameSize) {
        await sendFrame(stream, bytes.subarray(at, Math.min(bytes.byteLength, at + this.limits.maxFrameSize)))
      }
      await stream.close()
    } finally {
      this.budget.releaseBytes(key, length)
    }
  }

  private async has(ids: Uint8Array[]): Promise<boolean[]> {
    return Promise.all(ids.map((id) => this.options.store.has(id)))
  }

  private async delete(envelope: Envelope<'delete'>, peer: PeerId): Promise<void> {
    let request: DeleteRequest
    try {
      request = await verify(envelope, 'delete')
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      this.misbehaved(peer, 'bad-signature', detail)
      throw new Refusal(ShardStatus.Unauthorized, detail)
    }
    // Who may delete a shard is in its header (bound when it was stored): a delete removes the
    // shards of the file that its signer owns, and is refused when it would remove none of many.
    const { store } = this.options
    const ids = request.shards.length === 0 ? await store.shardsOf(request.fileId) : request.shards
    const owned: Uint8Array[] = []
    let held = 0
    for (const id of ids) {
      const header = await store.stat(id)
      // a signature over one file must not delete another file's shards
      if (header === undefined || !equalBytes(header.fileId, request.fileId)) continue
      held++
      if (samePublicKey(header.owner, envelope.publicKey)) owned.push(id)
    }
    if (held > 0 && owned.length === 0) {
      throw new Refusal(
        ShardStatus.Unauthorized,
        `delete of file ${hex(request.fileId)} not signed by its owner`
      )
    }
    const verdict = this.replay.check(`${hex(envelope.publicKey.bytes)}:${hex(request.nonce)}`, request.time)
    if (verdict === 'replayed') {
      this.misbehaved(peer, 'replay', `delete nonce ${hex(request.nonce)} already used`)
      throw new Refusal(ShardStatus.Replay, `delete nonce ${hex(request.nonce)} already used`)
    }
    if (verdict === 'stale') {
      throw new Refusal(ShardStatus.Replay, `delete time ${request.time} outside the accepted window`)
    }
    if (verdict === 'full') throw new Refusal(ShardStatus.Busy, 'too many recent deletes')
    for (const id of owned) await store.delete(id)
  }

  private async audit(request: Extract<ShardRequest, { kind: 'audit' }>): Promise<ShardResponse> {
    const { challenge } = request
    const bytes = await this.options.store.get(challenge.shard)
    if (bytes === undefined) throw new Refusal(ShardStatus.NotFound, `no shard ${hex(challenge.shard)}`)
    try {
      const digest = await auditDigest(challenge, bytes)
      return { kind: 'audit', response: { nonce: challenge.nonce, digest } }
    } catch (err) {
      if (err instanceof AuditRangeError) throw new Refusal(ShardStatus.BadRequest, err.message)
      throw err
    }
  }

  private async quotaAllows(peer: PeerId, bytes: number): Promise<boolean> {
    const { quota, store } = this.options
    if (quota !== undefined) return quota({ peer, bytes, pendingBytes: this.pendingBytes })
    return (await store.size()) + this.pendingBytes + bytes <= this.limits.maxStoredBytes
  }

  private misbehaved(peer: PeerId, reason: Misbehavior, detail: string): void {
    reportMisbehavior(this.options.onPeerMisbehaved, this.options.log, peer, reason, detail)
  }
}

async function respond(stream: Stream, response: ShardResponse): Promise<void> {
  await sendFrame(stream, encodeShardResponse(response))
  await stream.close()
}

/**
 * Exactly `length` bytes from the frames after a put, hashed as they arrive and kept as the
 * pieces they came in (the store writes them out without joining them).
 */
async function receiveBody(
  frames: FrameReader,
  length: number,
  peer: string
): Promise<{ pieces: Uint8Array[]; sha256: Uint8Array; crc32c: number }> {
  const pieces: Uint8Array[] = []
  const sha = createSha256()
  const crc = createCrc32c()
  try {
    for await (const piece of frames.bodies(length)) {
      sha.update(piece)
      crc.update(piece)
      pieces.push(piece)
    }
  } catch (err) {
    if (err instanceof FrameOverrunError)
      throw new ShardProtocolError(peer, `sent more than the ${length} shard bytes its header announced`)
    throw err
  }
  return { pieces, sha256: sha.digest(), crc32c: crc.value() }
}

function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  return a.algorithm === b.algorithm && equalBytes(a.bytes, b.bytes)
}
