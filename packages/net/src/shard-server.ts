// The serving side of `/defs/shard/1.0.0`: one request per stream. Before a request is read, the
// peer must not be banned, must be within its request rate and its stream count; every request
// ends by its deadline (the stream is aborted); a peer that breaks a cap is banned and cut off.
import {
  DecodeError,
  decodeShardRequest,
  encodeShardResponse,
  FrameReader,
  type ShardRequest,
  type ShardResponse,
  ShardStatus,
  type ShardUploader,
  TruncatedFrameError
} from '@defs/segment'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import { ByteBudget } from './byte-budget.ts'
import { PeerLimitError, ShardProtocolError } from './errors.ts'
import { type Misbehavior, type MisbehaviorHook, misbehaviorOf, reportMisbehavior } from './misbehavior.ts'
import type { PeerBans } from './peer-bans.ts'
import { PeerBudget } from './peer-budget.ts'
import { ReplayGuard } from './replay-guard.ts'
import { RequestRate } from './request-rate.ts'
import { abortOn } from './request-response.ts'
import { Refusal, type ServeContext } from './serve-context.ts'
import { serveDelete } from './shard-delete.ts'
import type { ShardLimits } from './shard-limits.ts'
import { servePut } from './shard-put.ts'
import { serveAudit, serveGet } from './shard-read.ts'
import type { ShardStore } from './shard-store.ts'
import { type StandingOf, StorageAdmission } from './storage-admission.ts'
import { closed, sendFrame } from './stream-io.ts'

/** How long a refused put's client has to read the refusal and close before its stream is reset. */
const REFUSAL_GRACE_MS = 500

/** What the server holds for requests under way. */
export interface ShardsHeld {
  /** Shard bytes in memory for all peers, and the strangers' part of them. */
  memory: number
  strangerMemory: number
  /** Stored bytes reserved by puts whose bodies are still arriving. */
  reserved: number
}

export interface ShardServerOptions {
  store: ShardStore
  limits: ShardLimits
  /** This node's peer id: deletes must name it. */
  self: PeerId
  bans: PeerBans
  /** How far each peer is trusted to store here. */
  standing: StandingOf
  /** The network group of a remote address (undefined: the peer is a group of its own). */
  groupOf: (address: string) => string | undefined
  /** False while the node is in maintenance: puts are refused with 503. */
  accepting?: () => boolean
  onPeerMisbehaved?: MisbehaviorHook
  /** A shard of ours that rotted (its CRC32C no longer matches). */
  onCorruptShard?: (id: Uint8Array, detail: string) => void
  /** Bytes this node can still store, told in `has` and `ok` answers; none: not told. */
  freeBytes?: () => number
  log: Logger
}

export class ShardServer {
  private readonly options: ShardServerOptions
  private readonly limits: ShardLimits
  private readonly rate: RequestRate
  private readonly ctx: ServeContext

  constructor(options: ShardServerOptions) {
    this.options = options
    const { limits, store, log } = options
    this.limits = limits
    this.rate = new RequestRate({
      perSecond: limits.maxRequestsPerSecondPerPeer,
      burst: limits.requestBurstPerPeer
    })
    this.ctx = {
      store,
      limits,
      budget: new PeerBudget(limits),
      memory: new ByteBudget(limits.maxMemoryBytes),
      strangerMemory: new ByteBudget(limits.strangerMemoryBytes),
      isStranger: (peer) => options.standing(peer) === 'stranger',
      admission: new StorageAdmission(store, limits),
      replay: new ReplayGuard({ windowMs: limits.deleteWindowMs }),
      self: options.self.toMultihash().bytes,
      startedAt: Date.now(),
      accepting: () => options.accepting?.() !== false,
      uploaderOf: (peer, connection) => this.uploaderOf(peer, connection),
      misbehaved: (peer, reason, detail) => this.misbehaved(peer, reason, detail),
      breach: (peer, reason, detail) => this.breach(peer, reason, detail),
      corrupt: (id, detail) => {
        log.error('stored shard %s is corrupt: %s', Buffer.from(id).toString('hex'), detail)
        try {
          options.onCorruptShard?.(id, detail)
        } catch (err) {
          log.error('onCorruptShard threw: %e', err)
        }
      },
      log
    }
  }

  /** What a peer holds of our per-peer budget now. */
  inUse(peer: PeerId): { streams: number; bytes: number } {
    return this.ctx.budget.inUse(peer.toString())
  }

  /** Shard bytes in memory now (all peers, strangers), and stored bytes reserved by puts under way. */
  held(): ShardsHeld {
    return {
      memory: this.ctx.memory.used,
      strangerMemory: this.ctx.strangerMemory.used,
      reserved: this.ctx.admission.reserved
    }
  }

  /** The stream handler of SHARD_PROTOCOL. */
  readonly handle = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer
    const key = peer.toString()
    if (this.options.bans.isBanned(peer)) {
      stream.abort(new PeerLimitError(key, 'banned'))
      return
    }
    if (!this.rate.tryTake(key)) {
      const detail = `more than ${this.limits.maxRequestsPerSecondPerPeer} shard requests per second`
      stream.abort(this.breach(peer, 'too-many-requests', detail))
      return
    }
    if (!this.ctx.budget.openStream(key)) {
      const detail = `more than ${this.limits.maxStreamsPerPeer} concurrent shard streams`
      stream.abort(this.breach(peer, 'too-many-streams', detail))
      return
    }
    const signal = AbortSignal.timeout(this.limits.requestTimeout)
    const stop = abortOn(stream, signal)
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
        await respond(stream, { kind: 'error', status: ShardStatus.BadRequest, message: err.message }, signal)
        return
      }
      const { response, bodyUnread } = await this.answer(request, frames, stream, connection, signal)
      if (response !== undefined) await respond(stream, this.withFreeBytes(response), signal)
      if (bodyUnread) {
        // A put refused before its body was read: an honest client stops sending when it reads the
        // refusal and closes; give it that moment (a reset sent at once can overtake the answer),
        // then drop whatever is left instead of reading it.
        await closed(stream, REFUSAL_GRACE_MS)
        stream.abort(new ShardProtocolError(key, 'put refused, rest of body dropped'))
      }
    } catch (err) {
      const reason = misbehaviorOf(err)
      if (reason === 'oversize-frame') this.misbehaved(peer, reason, (err as Error).message)
      this.options.log('shard stream from %p failed: %s', peer, err instanceof Error ? err.message : err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      stop()
      this.ctx.budget.closeStream(key)
      void frames.close().catch(() => {})
    }
  }

  private async answer(
    request: ShardRequest,
    frames: FrameReader,
    stream: Stream,
    connection: Connection,
    signal: AbortSignal
  ): Promise<{ response?: ShardResponse; bodyUnread: boolean }> {
    const peer = connection.remotePeer
    try {
      switch (request.kind) {
        case 'put':
          return await servePut(this.ctx, request, frames, stream, connection)
        case 'get':
          await serveGet(this.ctx, request, stream, peer, signal)
          return { bodyUnread: false }
        case 'has':
          return {
            response: {
              kind: 'has',
              have: await Promise.all(request.ids.map((id) => this.ctx.store.has(id)))
            },
            bodyUnread: false
          }
        case 'delete':
          await serveDelete(this.ctx, request.request, peer)
          return { response: { kind: 'ok' }, bodyUnread: false }
        case 'audit':
          return { response: await serveAudit(this.ctx, request.challenge, peer), bodyUnread: false }
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

  /** A `has` or `ok` answer with the bytes this node can still store (when it tells them). */
  private withFreeBytes(response: ShardResponse): ShardResponse {
    if ((response.kind !== 'has' && response.kind !== 'ok') || this.options.freeBytes === undefined)
      return response
    const free = this.options.freeBytes()
    if (!Number.isFinite(free)) return response
    return { ...response, freeBytes: Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(free))) }
  }

  private uploaderOf(peer: PeerId, connection: Connection): ShardUploader {
    const group = this.options.groupOf(connection.remoteAddr.toString())
    const stranger = this.options.standing(peer) === 'stranger'
    return {
      peer: peer.toString(),
      ...(group !== undefined ? { group } : {}),
      ...(stranger ? { stranger } : {})
    }
  }

  private misbehaved(peer: PeerId, reason: Misbehavior, detail: string): void {
    reportMisbehavior(this.options.onPeerMisbehaved, this.options.log, peer, reason, detail)
  }

  /** A cap broken: reported, and the peer banned and disconnected unless it is trusted. */
  private breach(peer: PeerId, reason: Misbehavior, detail: string): PeerLimitError {
    this.misbehaved(peer, reason, detail)
    if (this.options.standing(peer) !== 'trusted') this.options.bans.ban(peer, `${reason}: ${detail}`)
    return new PeerLimitError(peer.toString(), detail)
  }
}

async function respond(stream: Stream, response: ShardResponse, signal: AbortSignal): Promise<void> {
  await sendFrame(stream, encodeShardResponse(response), { signal })
  await stream.close({ signal })
}
