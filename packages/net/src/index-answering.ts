// The answering side of the index: a holder hears "who holds file F" on the gossipsub topic (or
// directly, in the DHT fallback) and answers the asker alone with location records signed by its
// node key, cached while fresh.
import type { SigningKey } from '@defs/crypto'
import {
  DecodeError,
  decodeIndexQuery,
  type Envelope,
  encodeIndexAnswer,
  INDEX_PROTOCOL,
  type IndexAnswer,
  type IndexQuery,
  limits
} from '@defs/segment'
import type { Message } from '@libp2p/gossipsub'
import type { Logger, PeerId, Stream } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import type { ServiceComponents } from './components.ts'
import { checkManifest } from './index-lookup.ts'
import { signLocations } from './location-records.ts'
import type { MisbehaviorHook } from './misbehavior.ts'
import { handleRequests } from './request-response.ts'
import { sendFrame } from './stream-io.ts'

/** Direct index queries (the DHT fallback): query in, answer out, one stream. */
export const INDEX_QUERY_PROTOCOL = '/defs/index/query/1'

/** What this node holds of a file: shard ids, and the manifest if it keeps one. */
export interface IndexHoldings {
  shards: Uint8Array[]
  manifest?: Envelope<'manifest'>
}

export type HoldingsLookup = (
  fileId: Uint8Array,
  want: 'manifest' | 'shards'
) => IndexHoldings | undefined | Promise<IndexHoldings | undefined>

export interface IndexAnswererOptions {
  holdings: HoldingsLookup
  key: () => Promise<SigningKey>
  recordTtlMs: number
  maxConcurrentAnswers: number
  answerTimeout: number
  onPeerMisbehaved?: MisbehaviorHook
  log: Logger
}

interface CachedRecords {
  shardsKey: string
  envelopes: Envelope<'location'>[]
  refreshAt: number
}

const MAX_CACHED_FILES = 4096
/** Query ids answered lately: gossipsub may deliver one query more than once. */
const MAX_ANSWERED = 4096

export class IndexAnswerer {
  private readonly components: Pick<ServiceComponents, 'peerId' | 'registrar' | 'connectionManager'>
  private readonly options: IndexAnswererOptions
  private readonly cache = new Map<string, CachedRecords>()
  private readonly answered = new Set<string>()
  private answering = 0

  constructor(
    components: Pick<ServiceComponents, 'peerId' | 'registrar' | 'connectionManager'>,
    options: IndexAnswererOptions
  ) {
    this.components = components
    this.options = options
  }

  /** Serve direct queries (the DHT fallback): answered on the same stream, empty when nothing is held. */
  async start(): Promise<void> {
    await handleRequests(
      this.components.registrar,
      INDEX_QUERY_PROTOCOL,
      async (frame, from) => {
        const query = decodeIndexQuery(frame)
        if (!equalBytes(query.requester, from.toMultihash().bytes)) {
          throw new DecodeError('requester is not the asker')
        }
        // busy: the stream is reset rather than answered "nothing held"
        if (this.answering >= this.options.maxConcurrentAnswers)
          throw new Error('too many index answers in flight')
        const answer = await this.whileAnswering(() => this.answer(query))
        return encodeIndexAnswer(answer ?? { queryId: query.queryId, fileId: query.fileId, locations: [] })
      },
      {
        maxRequestBytes: limits.maxBytes.indexQuery,
        timeoutMs: this.options.answerTimeout,
        onPeerMisbehaved: this.options.onPeerMisbehaved,
        log: this.options.log
      }
    )
  }

  async stop(): Promise<void> {
    await this.components.registrar.unhandle(INDEX_QUERY_PROTOCOL)
  }

  /** A query heard on the topic (already validated: decodable, signed by its requester). */
  readonly onMessage = (event: CustomEvent<Message>): void => {
    const message = event.detail
    if (message.type !== 'signed' || message.from.equals(this.components.peerId)) return
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
    if (this.answered.size >= MAX_ANSWERED) this.answered.delete(this.answered.values().next().value!)
    this.answered.add(key)
    void this.answerBroadcast(message.from, query).catch((err) => {
      this.options.log('answer to %p failed: %e', message.from, err)
    })
  }

  private async answerBroadcast(requester: PeerId, query: IndexQuery): Promise<void> {
    await this.whileAnswering(async () => {
      const answer = await this.answer(query)
      if (answer === undefined) return
      const signal = AbortSignal.timeout(this.options.answerTimeout)
      let stream: Stream | undefined
      try {
        stream = await this.components.connectionManager.openStream(requester, INDEX_PROTOCOL, { signal })
        await sendFrame(stream, encodeIndexAnswer(answer), { signal })
        await stream.close({ signal })
      } catch (err) {
        stream?.abort(err instanceof Error ? err : new Error(String(err)))
        throw err
      }
    })
  }

  /** Runs `work` unless `maxConcurrentAnswers` answers are under way (then the query is dropped). */
  private async whileAnswering<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.answering >= this.options.maxConcurrentAnswers) return undefined
    this.answering++
    try {
      return await work()
    } finally {
      this.answering--
    }
  }

  /** The answer to `query`, or undefined when this node holds nothing of the file. */
  async answer(query: IndexQuery): Promise<IndexAnswer | undefined> {
    const held = await this.options.holdings(query.fileId, query.want)
    const manifest = query.want === 'manifest' ? await this.checked(held?.manifest, query.fileId) : undefined
    const shards = held?.shards ?? []
    if (shards.length === 0 && manifest === undefined) return undefined
    const locations = shards.length > 0 ? await this.records(query.fileId, shards) : []
    return { queryId: query.queryId, fileId: query.fileId, locations, ...(manifest ? { manifest } : {}) }
  }

  /** `envelope` if it still verifies for `fileId`: a node passes on no manifest it cannot vouch for. */
  private async checked(
    envelope: Envelope<'manifest'> | undefined,
    fileId: Uint8Array
  ): Promise<Envelope<'manifest'> | undefined> {
    if (envelope === undefined) return undefined
    try {
      return (await checkManifest(envelope, fileId)).envelope
    } catch (err) {
      this.options.log.error('held manifest of %s not sent: %e', hex(fileId), err)
      return undefined
    }
  }

  /** Signed records of `shards`, re-signed once half their lifetime has passed or the set changed. */
  private async records(fileId: Uint8Array, shards: Uint8Array[]): Promise<Envelope<'location'>[]> {
    const file = hex(fileId)
    const shardsKey = shards.map(hex).join()
    const now = Date.now()
    const cached = this.cache.get(file)
    if (cached !== undefined && cached.shardsKey === shardsKey && cached.refreshAt > now)
      return cached.envelopes
    const { key, recordTtlMs } = this.options
    const envelopes = await signLocations(
      await key(),
      this.components.peerId,
      fileId,
      shards,
      recordTtlMs,
      now
    )
    this.cache.delete(file)
    if (this.cache.size >= MAX_CACHED_FILES) this.cache.delete(this.cache.keys().next().value!)
    this.cache.set(file, { shardsKey, envelopes, refreshAt: now + recordTtlMs / 2 })
    return envelopes
  }
}
