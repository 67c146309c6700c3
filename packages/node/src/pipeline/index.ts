// The slice pipeline of @defs/node: layout planning, reading, sealing and opening slices on worker
// threads, and the ordered, memory-bounded streams that node.put and node.get are built from.

export { FileModeSizeError, NotEnoughPeersError, PoolClosedError, ShardIdMismatchError } from '../errors.ts'
export { BufferPool } from './buffer-pool.ts'
export {
  type Layout,
  type LayoutRequest,
  planLayout,
  SEAL_OVERHEAD,
  type ShardShape,
  type SliceCoding,
  type StorageMode,
  shardShape
} from './layout.ts'
export {
  type FetchedSlice,
  type OpenedSliceHandle,
  type OpenSlicesOptions,
  openSlices,
  type SliceDestination,
  writeSlices
} from './open-stream.ts'
export { type SealedSliceHandle, sealSlices } from './seal-stream.ts'
export {
  type OpenedSlice,
  type OpenParams,
  openSlice,
  type SealedSlice,
  type SealParams,
  type SliceContext,
  sealedBytes,
  sealSlice
} from './slice-codec.ts'
export { type CutSlicesOptions, cutSlices, type SliceSource } from './slice-reader.ts'
export { type RebuildParams, type RebuiltShard, type RebuiltSlice, rebuildSlice } from './slice-rebuild.ts'
export { sliceCost, type TransferOptions } from './transfer.ts'
export { SlicePool, type SlicePoolOptions, type SliceWorkers, workerExecArgv } from './workers.ts'
