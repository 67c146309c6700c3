/**
 * @packageDocumentation
 *
 * The composed DeFS node: a libp2p host serving shards from disk, the upload and download
 * pipelines (encrypt, erasure-code, place; fetch, reconstruct, decrypt), persisted tasks, the
 * node's directory (identity, config, metadata, shards), and room for services (pairing, repair).
 *
 * @example
 * ```ts
 * import { createNode } from '@defs/node'
 *
 * const a = await createNode({ dataDir: '/tmp/defs-a' })
 * const b = await createNode({ dataDir: '/tmp/defs-b', bootstrap: a.addresses() })
 * const { fileId, capability } = await b.files.put('./photo.jpg', { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
 * await b.files.get(fileId, './photo-copy.jpg')
 * console.log(await b.files.check(fileId))
 * await Promise.all([a.stop(), b.stop()])
 * ```
 */

export { AuthenticationError } from '@defs/crypto'
export { TooFewShardsError } from '@defs/erasure'
export { type ByteRange, QuotaExceededError } from '@defs/net'
export {
  formatCapability,
  type ParsedRef,
  parseFileRef,
  ShardCorruptError,
  type StorageMode,
  type StorageModeChoice,
  storageModeChoices
} from '@defs/segment'
export type { NodeComponents, NodeShardStore } from './components.ts'
export { type BuiltInServices, type CreateNodeOptions, createNode } from './create-node.ts'
export { type AtomicWriteOptions, writeFileAtomic } from './disk/atomic-file.ts'
export type { DiskUsage } from './disk/disk-budget.ts'
export type { MetaChange, MetaChanges } from './disk/meta-changes.ts'
export type { MetaStore, Placement } from './disk/meta-store.ts'
export { readNodeConfig, type StoredNodeOptions, writeNodeConfig } from './disk/node-config.ts'
export * from './errors.ts'
export type { DegradedSlice, NodeEventMap, NodeEvents, PairLost, PeerEvent } from './events.ts'
export type * from './files/types.ts'
export type { Keystore } from './keystore.ts'
export {
  type CollectedShard,
  type LeaseEvents,
  type LeaseOptions,
  LeaseService,
  type LeaseStatus,
  leases,
  resolveLeaseOptions,
  type ShardCount
} from './leases/index.ts'
export { heldInMaintenance, type Lifecycle, type LifecycleChange, type LifecycleState } from './lifecycle.ts'
export type { MaintenanceOptions } from './maintenance/maintenance.ts'
export type {
  MaintenanceProgress,
  MaintenanceRecord,
  MaintenanceState,
  PausedTask
} from './maintenance/record.ts'
export {
  type RecoveryShareText,
  type RootSummary,
  type SharedListing,
  type TreeFile,
  type TreeListing,
  type UserMirrors,
  userMirrors
} from './mirror/mirror-api.ts'
export {
  DEFAULT_MIRROR_INTERVAL_MS,
  DEFAULT_MIRROR_RETRY_MS,
  type MirrorServices,
  type MirrorTimings,
  mirrorNodeService,
  mirrorOf
} from './mirror/mirror-service.ts'
export type * from './node-types.ts'
export { type NodeOptions, optionNames, type ResolvedNodeOptions, resolveNodeOptions } from './options.ts'
export { NodePairing, pairingService } from './pairing/pairing-service.ts'
export type { RebuildParams, RebuiltShard, RebuiltSlice, SliceWorkers } from './pipeline/index.ts'
export {
  type FileCheck,
  type RepairEvents,
  type RepairInProgress,
  type RepairOptions,
  type RepairParams,
  type RepairResult,
  RepairService,
  repair,
  resolveRepairOptions
} from './repair/index.ts'
export { type NodeService, type ServiceFactories, type ServiceFactory, startOrder } from './services.ts'
export { checkFile } from './steps/file-health.ts'
export { type PlaceRequest, placeShards, type ShardToPlace } from './steps/place-shards.ts'
export { publishManifest } from './steps/publish-manifest.ts'
export { fetchSliceShards } from './steps/read-slices.ts'
export type { Republished } from './steps/republish.ts'
export type { RottedShard } from './steps/rotted-shard.ts'
export type {
  TaskContext,
  TaskKind,
  TaskProgress,
  TaskRecord,
  TaskRunner,
  TaskState
} from './tasks/task-types.ts'
