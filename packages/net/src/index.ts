/**
 * @packageDocumentation
 *
 * The DeFS network layer: a libp2p 3 host (TCP, QUIC, memory; noise, yamux, Kademlia DHT,
 * gossipsub, optional relay / hole punching / AutoNAT), the shard protocol `/defs/shard/1.0.0`
 * with hard caps, the index broadcast (one gossipsub query answered directly by holders with
 * signed location records) and its DHT fallback.
 *
 * @example
 * ```ts
 * import { generateSigningKey } from '@defs/crypto'
 * import { createHost, MemoryShardStore } from '@defs/net'
 * import { shardHeaderOf } from '@defs/segment'
 *
 * const a = await createHost({ host: '127.0.0.1', shards: { store: new MemoryShardStore() } })
 * const b = await createHost({ host: '127.0.0.1' })
 * await b.dial(a.getMultiaddrs()[0]!)
 * const body = new TextEncoder().encode('a shard of ciphertext')
 * const fileId = crypto.getRandomValues(new Uint8Array(16))
 * const owner = await generateSigningKey() // the file owner's key: only it may delete the shard
 * const header = shardHeaderOf({ fileId, slice: 0, index: 0, dataShards: 1, parityShards: 0, owner: owner.publicKey }, body)
 * const id = await b.services.shards.put(a.peerId, header, body)
 * console.log(new TextDecoder().decode(await b.services.shards.get(a.peerId, id))) // verified against id
 * await Promise.all([a.stop(), b.stop()])
 * ```
 */

export { ClientSlots } from './client-slots.ts'
export type { ProtocolRegistrar, ServiceComponents, StreamOpener } from './components.ts'
export {
  InvalidLocationRecordError,
  PeerError,
  PeerLimitError,
  ProtocolError,
  QuotaExceededError,
  ReplayError,
  ShardNotFoundError,
  ShardProtocolError,
  ShardRefusedError
} from './errors.ts'
export {
  FileRouting,
  fileCid,
  MANIFEST_NAMESPACE,
  manifestKey,
  type SignedManifest,
  selectManifestRecord,
  validateManifestRecord
} from './file-routing.ts'
export { createHost, DHT_PROTOCOL, type Host, type HostServices, type ServiceFactories } from './host.ts'
export {
  type BootstrapOptions,
  defaultHostLimits,
  type HostLimits,
  type HostOptions,
  type NatOptions,
  type TransportName
} from './host-options.ts'
export { type HoldingsLookup, INDEX_QUERY_PROTOCOL, type IndexHoldings } from './index-answering.ts'
export { INDEX_TOPIC, type LookupOptions } from './index-asking.ts'
export {
  IndexBroadcast,
  type IndexBroadcastComponents,
  type IndexBroadcastInit,
  indexBroadcast
} from './index-broadcast.ts'
export type { LookupResult } from './index-lookup.ts'
export {
  type LocationCheck,
  signingKeyOf,
  signLocations,
  type VerifiedLocation,
  verifyLocation
} from './location-records.ts'
export { MemoryShardStore, type MemoryShardStoreOptions } from './memory-shard-store.ts'
export { type Misbehavior, type MisbehaviorHook, misbehaviorOf, reportMisbehavior } from './misbehavior.ts'
export { PeerBudget, type PeerBudgetLimits } from './peer-budget.ts'
export { ReplayGuard, type ReplayGuardOptions, type ReplayVerdict } from './replay-guard.ts'
export {
  abortOn,
  type HandleRequestsOptions,
  handleRequests,
  type RequestAnswerer,
  type SendRequestOptions,
  sendRequest
} from './request-response.ts'
export type { GetOptions, PutOptions, ShardApi } from './shard-client.ts'
export { defaultShardLimits, type ShardLimits } from './shard-limits.ts'
export {
  ShardProtocol,
  type ShardProtocolComponents,
  type ShardProtocolInit,
  shardProtocol
} from './shard-protocol.ts'
export type { QuotaCheck } from './shard-server.ts'
export { type ByteRange, joinShardBody, type ShardBody, type ShardStore } from './shard-store.ts'
export { closed, drained, readOneFrame, sendBytes, sendChunked, sendFrame } from './stream-io.ts'
