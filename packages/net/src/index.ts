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
 * import { generateSigningKey, sha256 } from '@defs/crypto'
 * import { createHost, MemoryShardStore } from '@defs/net'
 * import { shardHeaderOf, signShardHeader } from '@defs/segment'
 *
 * const a = await createHost({ host: '127.0.0.1', shards: { store: new MemoryShardStore() } })
 * const b = await createHost({ host: '127.0.0.1' })
 * await b.dial(a.getMultiaddrs()[0]!)
 * const body = new TextEncoder().encode('a shard of ciphertext')
 * const fileId = crypto.getRandomValues(new Uint8Array(16))
 * const owner = await generateSigningKey() // the file owner's key: it signs the header, only it may delete
 * const id = await sha256(body)
 * const fields = { fileId, slice: 0, index: 0, dataShards: 1, parityShards: 0 }
 * await b.services.shards.put(a.peerId, await signShardHeader(owner, id, shardHeaderOf(fields, body)), body, { id })
 * console.log(new TextDecoder().decode(await b.services.shards.get(a.peerId, id))) // verified against id
 * await Promise.all([a.stop(), b.stop()])
 * ```
 */

export { ByteBudget } from './byte-budget.ts'
export { ClientSlots } from './client-slots.ts'
export type { ConnectionManager, ProtocolRegistrar, ServiceComponents, StreamOpener } from './components.ts'
export {
  ClaimDeletedError,
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
export {
  type OpenedPairing,
  openPairingRecord,
  openSignedPairing,
  PAIRING_NAMESPACE,
  pairingKey,
  peerOfKey,
  selectPairingRecord,
  validatePairingRecord
} from './pairing-routing.ts'
export { type Ban, PeerBans, type PeerBansOptions } from './peer-bans.ts'
export { PeerBudget, type PeerBudgetLimits } from './peer-budget.ts'
export { ReplayGuard, type ReplayGuardOptions, type ReplayVerdict } from './replay-guard.ts'
export { RequestRate, type RequestRateOptions } from './request-rate.ts'
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
export type { ShardsHeld } from './shard-server.ts'
export {
  addBytes,
  type ByteRange,
  charge,
  claimOf,
  headerOf,
  joinShardBody,
  type ShardBody,
  type ShardStore,
  type StoredUsage,
  sameClaim
} from './shard-store.ts'
export { type Reservation, type Standing, type StandingOf, StorageAdmission } from './storage-admission.ts'
export {
  closed,
  type DrainOptions,
  drained,
  readOneFrame,
  StreamNotWritableError,
  sendBytes,
  sendChunked,
  sendFrame
} from './stream-io.ts'
