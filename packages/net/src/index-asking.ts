// The asking side of the index: one gossipsub query "who holds file F", answered straight to us
// over `/defs/index/1` by the holders; when nobody answers, the DHT's providers are asked
// directly. Every record in every answer is checked, and the peer that sent a bad one is named.
import { type PublicKey, randomBytes } from '@defs/crypto'
import {
  DecodeError,
  decodeIndexAnswer,
  encodeIndexQuery,
  type IndexAnswer,
  type IndexQuery,
  limits
} from '@defs/segment'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import type { ServiceComponents } from './components.ts'
import type { FileRouting } from './file-routing.ts'
import { INDEX_QUERY_PROTOCOL } from './index-answering.ts'
import { checkAnswer, type LookupResult, PendingLookup } from './index-lookup.ts'
import { type Misbehavior, type MisbehaviorHook, misbehaviorOf, reportMisbehavior } from './misbehavior.ts'
import { abortOn, sendRequest } from './request-response.ts'
import { readOneFrame } from './stream-io.ts'

/** The gossipsub topic of index queries. */
export const INDEX_TOPIC = '/defs/index/1'

export interface LookupOptions {
  /** `manifest` also asks holders for the owner's signed manifest. Default `shards`. */
  want?: 'manifest' | 'shards'
  /** Stop once this many holders answered. Default 1 for a manifest, unbounded for shards. */
  enough?: number
  /** After the first answer, stop when none came for this long. Default 250 ms. */
  settleMs?: number
  /** Stop after this long in any case. Default 2 s. */
  timeoutMs?: number
  /** Ask DHT providers when the broadcast found nothing. Default true. */
  dhtFallback?: boolean
  /**
   * The owner whose manifest is wanted: manifests signed by anyone else are refused and their
   * senders reported. Without it no answer can be known right, and `manifest` is only a guess.
   */
  owner?: PublicKey
  signal?: AbortSignal
}

export interface IndexAskerOptions {
  routing: FileRouting
  maxPendingLookups: number
  maxRecordTtlMs: number
  maxAnswerBytes: number
  maxProviders: number
  /** How long an answer stream may take to deliver its answer. */
  answerTimeout: number
  onPeerMisbehaved?: MisbehaviorHook
  log: Logger
}

type AskerComponents = Pick<ServiceComponents, 'peerId' | 'connectionManager'> & { pubsub: GossipSub }

export class IndexAsker {
  private readonly components: AskerComponents
  private readonly options: IndexAskerOptions
  private readonly pending = new Map<string, PendingLookup>()

  constructor(components: AskerComponents, options: IndexAskerOptions) {
    this.components = components
    this.options = options
  }

  /** Who holds `fileId` (and its manifest, with `want: 'manifest'`): broadcast first, then the DHT. */
  async lookup(fileId: Uint8Array, options: LookupOptions = {}): Promise<LookupResult> {
    const result = await this.broadcast(fileId, options)
    if (result.source !== 'none' || options.dhtFallback === false) return result
    const fallback = await this.lookupDht(fileId, options)
    return { ...fallback, rejected: [...result.rejected, ...fallback.rejected] }
  }

  /** One gossipsub query; the answers that arrive within the options' time. */
  async broadcast(fileId: Uint8Array, options: LookupOptions = {}): Promise<LookupResult> {
    const want = options.want ?? 'shards'
    const { queryId, pending } = this.track(fileId, want, options)
    const query: IndexQuery = { queryId, fileId, requester: this.selfBytes(), want }
    try {
      const { recipients } = await this.components.pubsub.publish(INDEX_TOPIC, encodeIndexQuery(query))
      if (recipients.length === 0) pending.finish()
    } catch (err) {
      this.options.log('index query for %s not published: %e', hex(fileId), err)
      pending.finish()
    }
    try {
      return await pending.result('broadcast')
    } finally {
      this.pending.delete(hex(queryId))
    }
  }

  /** Ask the DHT's providers of `fileId` directly. */
  async lookupDht(fileId: Uint8Array, options: LookupOptions = {}): Promise<LookupResult> {
    const want = options.want ?? 'shards'
    const { queryId, pending } = this.track(fileId, want, options)
    const timeoutMs = options.timeoutMs ?? 2000
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    try {
      const providers = await this.options.routing.providers(fileId, this.options.maxProviders, { signal })
      const query: IndexQuery = { queryId, fileId, requester: this.selfBytes(), want }
      await Promise.allSettled(providers.map((peer) => this.askDirectly(peer, query, pending, signal)))
      pending.finish()
      return await pending.result('dht')
    } catch (err) {
      pending.finish()
      if (signal.aborted) return pending.result('dht')
      throw err
    } finally {
      this.pending.delete(hex(queryId))
    }
  }

  /** An answer pushed to us by a holder (the handler of INDEX_PROTOCOL). */
  readonly onAnswer = async (stream: Stream, connection: Connection): Promise<void> => {
    const from = connection.remotePeer
    // a holder dials, sends one answer and closes; one that sends nothing is not waited for
    const stop = abortOn(stream, AbortSignal.timeout(this.options.answerTimeout))
    try {
      const frame = await readOneFrame(stream, this.options.maxAnswerBytes)
      if (frame !== undefined) {
        const answer = decodeIndexAnswer(frame)
        const pending = this.pending.get(hex(answer.queryId))
        // a late answer, or one to a query we never sent, is dropped
        if (pending !== undefined && equalBytes(pending.fileId, answer.fileId))
          await this.take(pending, answer, from)
      }
      // Closed on every path: a stream left open after a late answer would count against the
      // protocol's inbound stream limit until the connection ends, and once the limit is reached
      // every answer to every later query is refused (lookups then time out with nothing).
      await stream.close()
    } catch (err) {
      this.refused(from, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      stop()
    }
  }

  /** End every lookup in flight (the service stops). */
  finishAll(): void {
    for (const lookup of this.pending.values()) lookup.finish()
  }

  private track(fileId: Uint8Array, want: 'manifest' | 'shards', options: LookupOptions) {
    const max = this.options.maxPendingLookups
    if (this.pending.size >= max) throw new RangeError(`at most ${max} index lookups may be in flight`)
    const queryId = randomBytes(16)
    const pending = new PendingLookup(fileId, want, {
      enough: options.enough ?? (want === 'manifest' ? 1 : Number.POSITIVE_INFINITY),
      settleMs: options.settleMs ?? 250,
      timeoutMs: options.timeoutMs ?? 2000,
      signal: options.signal,
      ...(options.owner !== undefined ? { owner: options.owner } : {})
    })
    this.pending.set(hex(queryId), pending)
    return { queryId, pending }
  }

  private async askDirectly(peer: PeerId, query: IndexQuery, pending: PendingLookup, signal: AbortSignal) {
    try {
      const frame = await sendRequest(
        this.components.connectionManager,
        peer,
        INDEX_QUERY_PROTOCOL,
        encodeIndexQuery(query),
        {
          maxResponseBytes: this.options.maxAnswerBytes,
          signal
        }
      )
      const answer = decodeIndexAnswer(frame)
      if (!equalBytes(answer.queryId, query.queryId) || !equalBytes(answer.fileId, query.fileId)) {
        throw new DecodeError('answer does not match the query')
      }
      await this.take(pending, answer, peer)
    } catch (err) {
      this.refused(peer, err)
    }
  }

  private async take(pending: PendingLookup, answer: IndexAnswer, from: PeerId): Promise<void> {
    const checked = await checkAnswer(
      answer,
      from,
      pending.fileId,
      this.options.maxRecordTtlMs,
      pending.owner
    )
    for (const bad of checked.rejected) this.misbehaved(from, 'forged-record', bad.message)
    pending.add(from.toString(), checked)
  }

  private refused(from: PeerId, err: unknown): void {
    const reason = misbehaviorOf(err)
    if (reason !== undefined) this.misbehaved(from, reason, (err as Error).message)
    this.options.log('index stream with %p failed: %e', from, err)
  }

  private misbehaved(peer: PeerId, reason: Misbehavior, detail: string): void {
    reportMisbehavior(this.options.onPeerMisbehaved, this.options.log, peer, reason, detail)
  }

  private selfBytes(): Uint8Array {
    return this.components.peerId.toMultihash().bytes
  }
}

/** The cap of an answer read: the option, never more than the codec's. */
export function answerCap(maxAnswerBytes: number | undefined): number {
  return Math.min(maxAnswerBytes ?? 16 * 1024 * 1024, limits.maxBytes.indexAnswer)
}
