// The asking side of `/defs/shard/1.0.0`: one stream per request, queued per peer below the
// peer's caps, every reply checked, and shards fetched whole verified against their id.
import { sha256 } from '@defs/crypto'
import {
  type AuditChallenge,
  DecodeError,
  decodeShardResponse,
  type Envelope,
  encodeShardRequest,
  FrameReader,
  SHARD_PROTOCOL,
  ShardCorruptError,
  type ShardHeader,
  type ShardRequest,
  type ShardResponse
} from '@defs/segment'
import type { AbortOptions, PeerId, Stream } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { ClientSlots } from './client-slots.ts'
import type { StreamOpener } from './components.ts'
import { PeerError, QuotaExceededError, ShardProtocolError } from './errors.ts'
import { type Misbehavior, type MisbehaviorHook, misbehaviorOf, reportMisbehavior } from './misbehavior.ts'
import { RequestRate } from './request-rate.ts'
import type { ShardLimits } from './shard-limits.ts'
import { receiveShard, refusalError } from './shard-replies.ts'
import type { ByteRange } from './shard-store.ts'
import { closed, sendChunked, sendFrame } from './stream-io.ts'

export interface ShardClientOptions {
  opener: StreamOpener
  limits: ShardLimits
  onPeerMisbehaved?: MisbehaviorHook
  /** Told the free bytes a peer's answer claims it has (`has` and `ok` answers may carry them). */
  onPeerFreeBytes?: (peer: PeerId, freeBytes: number) => void
  /** Allow shard requests over relayed (data- and time-limited) connections. Default false. */
  runOnLimitedConnection?: boolean
}

export interface PutOptions extends AbortOptions {
  /** SHA-256 of `bytes` when the caller has it already; computed otherwise. */
  id?: Uint8Array
  /** Told the durable copies the peer's answer names (a paired peer's include its partner's). */
  onAck?: (ack: { copies?: number }) => void
}

export interface GetOptions extends AbortOptions {
  /** Only these bytes (not verified against the id: the caller checks them, e.g. by AEAD). */
  range?: ByteRange
}

/** The calls of the shard protocol; `ShardProtocol` (the libp2p service) implements it. */
export interface ShardApi {
  /** Store a shard on `peer`; resolves with its id once the peer holds it durably. */
  put(peer: PeerId, header: ShardHeader, bytes: Uint8Array, options?: PutOptions): Promise<Uint8Array>
  /** A shard (verified against `id`) or a range of it. */
  get(peer: PeerId, id: Uint8Array, options?: GetOptions): Promise<Uint8Array>
  /** One flag per id: does `peer` hold it? */
  has(peer: PeerId, ids: Uint8Array[], options?: AbortOptions): Promise<boolean[]>
  /** Ask `peer` to delete shards; `request` is a delete envelope signed by the file's owner. */
  delete(peer: PeerId, request: Envelope<'delete'>, options?: AbortOptions): Promise<void>
  /** The peer's digest for an audit challenge (compare with `auditDigest(challenge, shard)`). */
  audit(peer: PeerId, challenge: AuditChallenge, options?: AbortOptions): Promise<Uint8Array>
}

export class ShardClient implements ShardApi {
  private readonly options: ShardClientOptions
  private readonly limits: ShardLimits
  private readonly slots: ClientSlots
  private readonly rate: RequestRate

  constructor(options: ShardClientOptions) {
    this.options = options
    const { limits } = options
    this.limits = limits
    this.slots = new ClientSlots(limits.clientStreamsPerPeer, limits.clientBytesPerPeer)
    this.rate = new RequestRate({
      perSecond: limits.clientRequestsPerSecond,
      burst: limits.clientRequestBurst
    })
  }

  async put(
    peer: PeerId,
    header: ShardHeader,
    bytes: Uint8Array,
    options: PutOptions = {}
  ): Promise<Uint8Array> {
    if (header.length !== bytes.byteLength) {
      throw new RangeError(
        `header.length must equal the shard's ${bytes.byteLength} bytes, got ${header.length}`
      )
    }
    if (bytes.byteLength > this.limits.maxShardSize) {
      throw new RangeError(`shard must be at most ${this.limits.maxShardSize} bytes, got ${bytes.byteLength}`)
    }
    const id = options.id ?? (await sha256(bytes))
    const response = await this.exchange(peer, { kind: 'put', header, id }, bytes.byteLength, options, bytes)
    const ok = expectKind(this, peer, response, 'ok')
    options.onAck?.(ok.copies === undefined ? {} : { copies: ok.copies })
    return id
  }

  async get(peer: PeerId, id: Uint8Array, options: GetOptions = {}): Promise<Uint8Array> {
    const { range } = options
    const request: ShardRequest = range === undefined ? { kind: 'get', id } : { kind: 'get', id, ...range }
    // a whole shard's size is known only from the answer: gets are bounded by the stream count
    return this.withStream(peer, request, range?.length ?? 0, options, async (_stream, frames) => {
      const response = await this.readResponse(peer, frames)
      const data = expectKind(this, peer, response, 'data')
      if (range !== undefined ? data.length !== range.length : data.length > this.limits.maxShardSize) {
        const detail = `announced ${data.length} bytes for shard ${hex(id)}, expected ${range?.length ?? `<= ${this.limits.maxShardSize}`}`
        this.misbehaved(peer, 'malformed-message', detail)
        throw new ShardProtocolError(peer.toString(), detail)
      }
      const body = await receiveShard(frames, data.length, peer)
      if (range === undefined && !equalBytes(body.sha256!, id)) {
        const detail = `hashes to ${hex(body.sha256!)}`
        this.misbehaved(peer, 'corrupt-shard', `shard ${hex(id)} ${detail}`)
        throw new ShardCorruptError(`peer ${peer}: sent corrupt shard ${hex(id)}: ${detail}`, {
          shardId: hex(id),
          peer: peer.toString()
        })
      }
      return body.bytes
    })
  }

  async has(peer: PeerId, ids: Uint8Array[], options: AbortOptions = {}): Promise<boolean[]> {
    const response = await this.exchange(peer, { kind: 'has', ids }, 0, options)
    const { have } = expectKind(this, peer, response, 'has')
    if (have.length !== ids.length) {
      const detail = `answered ${have.length} flags for ${ids.length} ids`
      this.misbehaved(peer, 'malformed-message', detail)
      throw new ShardProtocolError(peer.toString(), detail)
    }
    return have
  }

  async delete(peer: PeerId, request: Envelope<'delete'>, options: AbortOptions = {}): Promise<void> {
    const response = await this.exchange(peer, { kind: 'delete', request }, 0, options)
    expectKind(this, peer, response, 'ok')
  }

  async audit(peer: PeerId, challenge: AuditChallenge, options: AbortOptions = {}): Promise<Uint8Array> {
    const response = await this.exchange(peer, { kind: 'audit', challenge }, 0, options)
    const { response: answer } = expectKind(this, peer, response, 'audit')
    if (!equalBytes(answer.nonce, challenge.nonce)) {
      this.misbehaved(peer, 'malformed-message', 'audit answer echoes another nonce')
      throw new ShardProtocolError(peer.toString(), 'audit answer echoes another nonce')
    }
    return answer.digest
  }

  /** Send `request` (and `body` as frames after it) and read the one response. */
  private async exchange(
    peer: PeerId,
    request: ShardRequest,
    bytes: number,
    options: AbortOptions,
    body?: Uint8Array
  ): Promise<ShardResponse> {
    return this.withStream(peer, request, bytes, options, async (stream, frames, signal) => {
      if (body === undefined) return this.readResponse(peer, frames)
      // the peer may answer early (refusal, already held): stop sending when it does
      let answered = false
      const response = this.readResponse(peer, frames).finally(() => {
        answered = true
      })
      response.catch(() => {})
      try {
        await sendChunked(stream, body, this.limits.maxFrameSize, { signal, stop: () => answered })
        await stream.close({ signal })
      } catch (err) {
        if (!answered) await Promise.race([response, new Promise((resolve) => setTimeout(resolve, 100))])
        if (!answered) throw err
      }
      return response
    })
  }

  private async withStream<T>(
    peer: PeerId,
    request: ShardRequest,
    bytes: number,
    options: AbortOptions,
    use: (stream: Stream, frames: FrameReader, signal: AbortSignal) => Promise<T>
  ): Promise<T> {
    const timeout = AbortSignal.timeout(this.limits.requestTimeout)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    // below the peer's request rate, so an honest client is never taken for a flood
    await this.rate.take(peer.toString(), signal)
    const release = await this.slots.acquire(peer.toString(), bytes, signal)
    let stream: Stream | undefined
    let frames: FrameReader | undefined
    const onAbort = (): void => stream?.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      stream = await this.options.opener.openStream(peer, SHARD_PROTOCOL, {
        signal,
        runOnLimitedConnection: this.options.runOnLimitedConnection ?? false
      })
      frames = new FrameReader(stream, { maxFrameSize: this.limits.maxFrameSize })
      await sendFrame(stream, encodeShardRequest(request), { signal })
      if (request.kind !== 'put') await stream.close({ signal })
      return await use(stream, frames, signal)
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      if (signal.aborted) throw signal.reason
      throw this.wrap(peer, err)
    } finally {
      signal.removeEventListener('abort', onAbort)
      void frames?.close().catch(() => {})
      // The slot is free only once the stream is: a peer counts a stream until both sides closed
      // it, and a client that opened the next one sooner could run past the peer's stream limit.
      if (stream !== undefined) await closed(stream, CLOSE_WAIT_MS)
      release()
    }
  }

  private async readResponse(peer: PeerId, frames: FrameReader): Promise<ShardResponse> {
    const frame = await frames.next()
    if (frame === undefined)
      throw new ShardProtocolError(peer.toString(), 'closed the stream without a response')
    const response = decodeShardResponse(frame)
    if ((response.kind === 'has' || response.kind === 'ok') && response.freeBytes !== undefined)
      this.options.onPeerFreeBytes?.(peer, response.freeBytes)
    return response
  }

  /** Our typed errors pass through; a decode failure is the peer's fault; anything else is the stream's. */
  private wrap(peer: PeerId, err: unknown): Error {
    if (err instanceof PeerError || err instanceof ShardCorruptError || err instanceof QuotaExceededError)
      return err
    if (err instanceof DecodeError) {
      this.misbehaved(peer, misbehaviorOf(err)!, err.message)
      return new ShardProtocolError(peer.toString(), `bad response: ${err.message}`, { cause: err })
    }
    // libp2p's stream.close() rejects with the stream's 'close' event, not an Error
    const event =
      err instanceof Event
        ? ((err as Event & { error?: Error }).error ?? `the stream's ${err.type} event`)
        : err
    const message = event instanceof Error ? event.message : String(event)
    return new ShardProtocolError(peer.toString(), `stream failed: ${message}`, { cause: err })
  }

  misbehaved(peer: PeerId, reason: Misbehavior, detail: string): void {
    reportMisbehavior(this.options.onPeerMisbehaved, undefined, peer, reason, detail)
  }
}

/** The response if it is of `kind`; a refusal becomes its typed error; anything else breaks the protocol. */
function expectKind<K extends ShardResponse['kind']>(
  client: ShardClient,
  peer: PeerId,
  response: ShardResponse,
  kind: K
): Extract<ShardResponse, { kind: K }> {
  if (response.kind === kind) return response as Extract<ShardResponse, { kind: K }>
  const id = peer.toString()
  if (response.kind === 'error') throw refusalError(id, response.status, response.message)
  client.misbehaved(peer, 'malformed-message', `answered ${response.kind} where ${kind} belongs`)
  throw new ShardProtocolError(id, `answered ${response.kind} where ${kind} belongs`)
}

/** How long a finished request waits for its stream to close before giving up its slot anyway. */
const CLOSE_WAIT_MS = 2000
