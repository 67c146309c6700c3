// The index broadcast as a libp2p service: a downloader publishes "who holds file F" on one
// gossipsub topic; holders answer straight to it over `/defs/index/1` with location records
// signed by their node key. When nobody answers, the DHT names providers, which are asked
// directly over `/defs/index/query/1`.
import { randomBytes, type SigningKey } from '@defs/crypto'
import {
  DecodeError,
  decodeIndexAnswer,
  decodeIndexQuery,
  type Envelope,
  encodeIndexAnswer,
  encodeIndexQuery,
  INDEX_PROTOCOL,
  type IndexQuery,
  limits
} from '@defs/segment'
import { type GossipSub, type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { AbortOptions, Connection, Logger, PeerId, Startable, Stream } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { equalBytes, hex } from './bytes.ts'
import type { ServiceComponents } from './components.ts'
import { FileRouting, type SignedManifest } from './file-routing.ts'
import { AnswerBuilder, checkAnswer, type HoldingsLookup } from './index-answers.ts'
import { type LookupResult, PendingLookup } from './index-lookup.ts'
import { signingKeyOf } from './location-records.ts'
import type { MisbehaviorHook } from './misbehavior.ts'
import type { ShardStore } from './shard-store.ts'
import { readOneFrame, sendFrame } from './stream-io.ts'

/** The gossipsub topic of index queries. */
export const INDEX_TOPIC = '/defs/index/1'
/** Direct index queries (the DHT fallback): query in, answer out, one stream. */
export const INDEX_QUERY_PROTOCOL = '/defs/index/query/1'

export interface IndexBroadcastInit {
  /** Answer from this store's shards of a file (when `holdings` is not given). */
  store?: ShardStore
  /** What this node holds of a file, manifests included; overrides `store`. */
  holdings?: HoldingsLookup
  /** Lifetime of the location records we sign. Default 1 hour. */
  recordTtlMs?: number
  /** Records valid longer than this from now are refused. Default 7 days. */
  maxRecordTtlMs?: number
  /** Largest answer read, in bytes (a manifest can be large). Default 16 MiB. */
  maxAnswerBytes?: number
  /** Answers we send at once; queries beyond are dropped. Default 16. */
  maxConcurrentAnswers?: number
  /** Our own lookups in flight at once. Default 256. */
  maxPendingLookups?: number
  /** Time to dial the asker and deliver one answer. Default 10 s. */
  answerTimeout?: number
  /** Providers asked directly in the DHT fallback. Default 20. */
  maxProviders?: number
  onPeerMisbehaved?: MisbehaviorHook
}

export interface LookupOptions extends AbortOptions {
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
}

export type IndexBroadcastComponents = ServiceComponents & { pubsub: GossipSub; dht: KadDHT }

export class IndexBroadcast implements Startable {
  readonly routing: FileRouting
  private readonly components: IndexBroadcastComponents
  private readonly init: IndexBroadcastInit
  private readonly log: Logger
  private readonly builder: AnswerBuilder
  private readonly pending = new Map<string, PendingLookup>()
  private readonly answered = new Set<string>()
  private signingKey?: Promise<SigningKey>
  private answering = 0
  private started = false

  constructor(components: IndexBroadcastComponents, init: IndexBroadcastInit = {}) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('defs:net:index')
    this.routing = new FileRouting(() => components.dht, components.peerId)
    const store = init.store
    const holdings: HoldingsLookup =
      init.holdings ??
      (async (fileId) => (store === undefined ? undefined : { shards: await store.shardsOf(fileId) }))
    this.builder = new AnswerBuilder(
      holdings,
      () => this.key(),
      components.peerId,
      init.recordTtlMs ?? 3600_000
    )
  }

  readonly [Symbol.toStringTag] = '@defs/net/index-broadcast'

  async start(): Promise<void> {
    const { registrar } = this.components
    await registrar.handle(INDEX_PROTOCOL, this.onAnswer, { maxInboundStreams: 32, maxOutboundStreams: 32 })
    await registrar.handle(INDEX_QUERY_PROTOCOL, this.onDirectQuery, {
      maxInboundStreams: 8,
      maxOutboundStreams: 8
    })
    this.started = true
  }

  /** Subscribe once every service is up (gossipsub starts after us). */
  async afterStart(): Promise<void> {
    const { pubsub } = this.components
    pubsub.topicValidators.set(INDEX_TOPIC, (_peer, message) => validateQuery(message))
    pubsub.addEventListener('message', this.onMessage)
    pubsub.subscribe(INDEX_TOPIC)
  }

  /** Leave the topic while gossipsub still runs (it may stop before us). */
  async beforeStop(): Promise<void> {
    const { pubsub } = this.components
    pubsub.removeEventListener('message', this.onMessage)
    pubsub.topicValidators.delete(INDEX_TOPIC)
    try {
      if (pubsub.getTopics().includes(INDEX_TOPIC)) pubsub.unsubscribe(INDEX_TOPIC)
    } catch (err) {
      this.log('leaving the index topic failed: %e', err)
    }
  }

  async stop(): Promise<void> {
    const { registrar } = this.components
    await registrar.unhandle(INDEX_PROTOCOL)
    await registrar.unhandle(INDEX_QUERY_PROTOCOL)
    for (const lookup of this.pending.values()) lookup.finish()
    this.started = false
  }

  isStarted(): boolean {
    return this.started
  }

  /** Peers we know subscribe to the index topic (a lookup needs at least one). */
  topicPeers(): PeerId[] {
    return this.components.pubsub.getSubscribers(INDEX_TOPIC)
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
    const lookup = this.track(fileId, want, options)
    const query: IndexQuery = { queryId: lookup.queryId, fileId, requester: this.selfBytes(), want }
    try {
      const { recipients } = await this.components.pubsub.publish(INDEX_TOPIC, encodeIndexQuery(query))
      if (recipients.length === 0) lookup.pending.finish()
    } catch (err) {
      this.log('index query for %s not published: %e', hex(fileId), err)
      lookup.pending.finish()
    }
    try {
      return await lookup.pending.result('broadcast')
    } finally {
      this.pending.delete(hex(lookup.queryId))
    }
  }

  /** Ask the DHT's providers of `fileId` directly. */
  async lookupDht(fileId: Uint8Array, options: LookupOptions = {}): Promise<LookupResult> {
    const want = options.want ?? 'shards'
    const { queryId, pending } = this.track(fileId, want, options)
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 2000)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    try {
      const providers = await this.routing.providers(fileId, this.init.maxProviders ?? 20, { signal })
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

  /** Announce in the DHT that this node holds shards of `fileId`. */
  announce(fileId: Uint8Array, options?: AbortOptions): Promise<void> {
    return this.routing.provide(fileId, options)
  }

  /** Store a signed manifest in the DHT under its file id. */
  publishManifest(envelope: Envelope<'manifest'>, options?: AbortOptions): Promise<void> {
    return this.routing.putManifest(envelope, options)
  }

  /** The newest valid manifest of `fileId` in the DHT. */
  fetchManifest(fileId: Uint8Array, options?: AbortOptions): Promise<SignedManifest | undefined> {
    return this.routing.getManifest(fileId, options)
  }

  private track(fileId: Uint8Array, want: 'manifest' | 'shards', options: LookupOptions) {
    const max = this.init.maxPendingLookups ?? 256
    if (this.pending.size >= max) throw new RangeError(`at most ${max} index lookups may be in flight`)
    const queryId = randomBytes(16)
    const pending = new PendingLookup(fileId, want, {
      enough: options.enough ?? (want === 'manifest' ? 1 : Number.POSITIVE_INFINITY),
      settleMs: options.settleMs ?? 250,
      timeoutMs: options.timeoutMs ?? 2000,
      signal: options.signal
    })
    this.pending.set(hex(queryId), pending)
    return { queryId, pending }
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.topic !== INDEX_TOPIC || message.type !== 'signed') return
    if (message.from.equals(this.components.peerId)) return
    let query: IndexQuery
    try {
      query = decodeIndexQuery(message.data)
    } catch {
      return
    }
    // answer only the peer that signed the query, never a third party it names
    if (!equalBytes(query.requester, message.from.toMultihash().bytes)) return
    const key = hex(query.queryId)
    if (this.answered.has(key)) return
    if (this.answered.size >= 4096) this.answered.delete(this.answered.values().next().value!)
    this.answered.add(key)
    void this.answerBroadcast(message.from, query)
  }

  private async answerBroadcast(requester: PeerId, query: IndexQuery): Promise<void> {
    if (this.answering >= (this.init.maxConcurrentAnswers ?? 16)) return
    this.answering++
    let stream: Stream | undefined
    try {
      const answer = await this.builder.answer(query)
      if (answer === undefined) return
      const signal = AbortSignal.timeout(this.init.answerTimeout ?? 10_000)
      stream = await this.components.connectionManager.openStream(requester, INDEX_PROTOCOL, { signal })
      await sendFrame(stream, encodeIndexAnswer(answer), { signal })
      await stream.close({ signal })
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      this.log('answer to %p failed: %e', requester, err)
    } finally {
      this.answering--
    }
  }

  /** An answer pushed to us by a holder. */
  private readonly onAnswer = async (stream: Stream, connection: Connection): Promise<void> => {
    const from = connection.remotePeer
    try {
      const frame = await readOneFrame(stream, this.maxAnswerBytes())
      if (frame === undefined) return
      const answer = decodeIndexAnswer(frame)
      const pending = this.pending.get(hex(answer.queryId))
      // a late answer, or one to a query we never sent
      if (pending === undefined || !equalBytes(pending.fileId, answer.fileId)) return
      await this.take(pending, answer, from)
      await stream.close()
    } catch (err) {
      this.refused(from, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** A direct query (DHT fallback): answer on the same stream, empty when nothing is held. */
  private readonly onDirectQuery = async (stream: Stream, connection: Connection): Promise<void> => {
    const from = connection.remotePeer
    if (this.answering >= (this.init.maxConcurrentAnswers ?? 16)) {
      stream.abort(new Error('too many index answers in flight'))
      return
    }
    this.answering++
    try {
      const frame = await readOneFrame(stream, limits.maxBytes.indexQuery)
      if (frame === undefined) return
      const query = decodeIndexQuery(frame)
      if (!equalBytes(query.requester, from.toMultihash().bytes))
        throw new DecodeError('requester is not the asker')
      const answer = (await this.builder.answer(query)) ?? {
        queryId: query.queryId,
        fileId: query.fileId,
        locations: []
      }
      await sendFrame(stream, encodeIndexAnswer(answer))
      await stream.close()
    } catch (err) {
      this.refused(from, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.answering--
    }
  }

  private async askDirectly(peer: PeerId, query: IndexQuery, pending: PendingLookup, signal: AbortSignal) {
    const stream = await this.components.connectionManager.openStream(peer, INDEX_QUERY_PROTOCOL, { signal })
    try {
      await sendFrame(stream, encodeIndexQuery(query), { signal })
      await stream.close({ signal })
      const frame = await readOneFrame(stream, this.maxAnswerBytes())
      if (frame === undefined) return
      const answer = decodeIndexAnswer(frame)
      if (!equalBytes(answer.queryId, query.queryId) || !equalBytes(answer.fileId, query.fileId)) {
        throw new DecodeError('answer does not match the query')
      }
      await this.take(pending, answer, peer)
    } catch (err) {
      this.refused(peer, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private async take(pending: PendingLookup, answer: Parameters<typeof checkAnswer>[0], from: PeerId) {
    const checked = await checkAnswer(
      answer,
      from,
      pending.fileId,
      this.init.maxRecordTtlMs ?? 7 * 24 * 3600_000
    )
    for (const bad of checked.rejected) this.misbehaved(from, 'forged-record', bad.message)
    pending.add(from.toString(), checked.locations, checked.rejected, checked.manifest)
  }

  private refused(from: PeerId, err: unknown): void {
    if (err instanceof DecodeError) this.misbehaved(from, 'malformed-message', err.message)
    this.log('index stream with %p failed: %e', from, err)
  }

  private misbehaved(peer: PeerId, reason: 'forged-record' | 'malformed-message', detail: string): void {
    try {
      this.init.onPeerMisbehaved?.(peer, reason, detail)
    } catch (err) {
      this.log.error('onPeerMisbehaved threw: %e', err)
    }
  }

  private maxAnswerBytes(): number {
    return Math.min(this.init.maxAnswerBytes ?? 16 * 1024 * 1024, limits.maxBytes.indexAnswer)
  }

  private selfBytes(): Uint8Array {
    return this.components.peerId.toMultihash().bytes
  }

  private key(): Promise<SigningKey> {
    this.signingKey ??= signingKeyOf(this.components.privateKey)
    return this.signingKey
  }
}

/** Drop malformed queries and queries whose requester is not the signer before they spread. */
function validateQuery(message: Message): TopicValidatorResult {
  if (message.type !== 'signed') return TopicValidatorResult.Reject
  try {
    const query = decodeIndexQuery(message.data)
    const signer = message.from.toMultihash().bytes
    return equalBytes(query.requester, signer) ? TopicValidatorResult.Accept : TopicValidatorResult.Reject
  } catch {
    return TopicValidatorResult.Reject
  }
}

/** The libp2p service factory: `services: { index: indexBroadcast({ store }) }`. */
export function indexBroadcast(
  init: IndexBroadcastInit = {}
): (components: IndexBroadcastComponents) => IndexBroadcast {
  return (components) => new IndexBroadcast(components, init)
}
