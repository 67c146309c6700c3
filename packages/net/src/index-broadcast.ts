// The index as a libp2p service: asking (index-asking.ts) and answering (index-answering.ts) on
// one gossipsub topic, with the DHT (`routing`) as the fallback and the home of provider and
// manifest records.
import type { SigningKey } from '@defs/crypto'
import { decodeIndexQuery, INDEX_PROTOCOL } from '@defs/segment'
import { type GossipSub, type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId, Startable } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { equalBytes } from './bytes.ts'
import type { ServiceComponents } from './components.ts'
import { FileRouting } from './file-routing.ts'
import { type HoldingsLookup, IndexAnswerer } from './index-answering.ts'
import { answerCap, INDEX_TOPIC, IndexAsker, type LookupOptions } from './index-asking.ts'
import type { LookupResult } from './index-lookup.ts'
import { signingKeyOf } from './location-records.ts'
import type { MisbehaviorHook } from './misbehavior.ts'
import type { ShardStore } from './shard-store.ts'

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
  /** Time to dial the asker and deliver one answer (and to receive one). Default 10 s. */
  answerTimeout?: number
  /** Providers asked directly in the DHT fallback. Default 20. */
  maxProviders?: number
  onPeerMisbehaved?: MisbehaviorHook
}

export type IndexBroadcastComponents = ServiceComponents & { pubsub: GossipSub; dht: KadDHT }

export class IndexBroadcast implements Startable {
  /** Provider and manifest records of files in the DHT. */
  readonly routing: FileRouting
  private readonly components: IndexBroadcastComponents
  private readonly asker: IndexAsker
  private readonly answerer: IndexAnswerer
  private signingKey?: Promise<SigningKey>
  private started = false

  constructor(components: IndexBroadcastComponents, init: IndexBroadcastInit = {}) {
    this.components = components
    const log = components.logger.forComponent('defs:net:index')
    this.routing = new FileRouting(() => components.dht, components.peerId)
    const store = init.store
    this.asker = new IndexAsker(components, {
      routing: this.routing,
      maxPendingLookups: init.maxPendingLookups ?? 256,
      maxRecordTtlMs: init.maxRecordTtlMs ?? 7 * 24 * 3600_000,
      maxAnswerBytes: answerCap(init.maxAnswerBytes),
      maxProviders: init.maxProviders ?? 20,
      answerTimeout: init.answerTimeout ?? 10_000,
      onPeerMisbehaved: init.onPeerMisbehaved,
      log
    })
    this.answerer = new IndexAnswerer(components, {
      holdings:
        init.holdings ??
        (async (fileId) => (store === undefined ? undefined : { shards: await store.shardsOf(fileId) })),
      key: () => this.key(),
      recordTtlMs: init.recordTtlMs ?? 3600_000,
      maxConcurrentAnswers: init.maxConcurrentAnswers ?? 16,
      answerTimeout: init.answerTimeout ?? 10_000,
      onPeerMisbehaved: init.onPeerMisbehaved,
      log
    })
  }

  readonly [Symbol.toStringTag] = '@defs/net/index-broadcast'

  async start(): Promise<void> {
    await this.components.registrar.handle(INDEX_PROTOCOL, this.asker.onAnswer, {
      maxInboundStreams: 32,
      maxOutboundStreams: 32
    })
    await this.answerer.start()
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
    } catch {
      // gossipsub already stopped: nothing left to leave
    }
  }

  async stop(): Promise<void> {
    await this.components.registrar.unhandle(INDEX_PROTOCOL)
    await this.answerer.stop()
    this.asker.finishAll()
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
  lookup(fileId: Uint8Array, options?: LookupOptions): Promise<LookupResult> {
    return this.asker.lookup(fileId, options)
  }

  /** One gossipsub query; the answers that arrive within the options' time. */
  broadcast(fileId: Uint8Array, options?: LookupOptions): Promise<LookupResult> {
    return this.asker.broadcast(fileId, options)
  }

  /** Ask the DHT's providers of `fileId` directly. */
  lookupDht(fileId: Uint8Array, options?: LookupOptions): Promise<LookupResult> {
    return this.asker.lookupDht(fileId, options)
  }

  private readonly onMessage = (event: CustomEvent<Message>): void => {
    if (event.detail.topic === INDEX_TOPIC) this.answerer.onMessage(event)
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
