/**
 * @packageDocumentation
 *
 * The composed DeFS node: a libp2p host serving shards from disk, the upload and download
 * pipelines (encrypt, erasure-code, place; fetch, reconstruct, decrypt), persisted tasks and the
 * node's directory (identity, config, metadata, shards).
 *
 * @example
 * ```ts
 * import { createNode } from '@defs/node'
 *
 * const a = await createNode({ dataDir: '/tmp/defs-a' })
 * const b = await createNode({ dataDir: '/tmp/defs-b', bootstrap: a.addresses() })
 * const { fileId, capability } = await b.put('./photo.jpg', { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
 * await b.get(fileId, './photo-copy.jpg')
 * console.log(await b.check(fileId))
 * await Promise.all([a.stop(), b.stop()])
 * ```
 */

export { TooFewShardsError } from '@defs/erasure'
export { QuotaExceededError } from '@defs/net'
export { createNode } from './create-node.ts'
export { TaskCancelledError, TaskPausedError } from './defs-node.ts'
export { type AtomicWriteOptions, writeFileAtomic } from './disk/atomic-file.ts'
export { DirectoryLockedError } from './disk/dir-lock.ts'
export { IdentityError } from './disk/identity.ts'
export { InvalidFileRefError } from './file-ref.ts'
export type * from './node-types.ts'
export { InvalidOptionError, type NodeOptions, type StorageMode, storageModes } from './options.ts'
export { NotEnoughPeersError } from './pipeline/index.ts'
export { PlacementError } from './placement.ts'
export { FileKeyMissingError, FileNotFoundError } from './resolve-file.ts'
export {
  TaskNotFoundError,
  type TaskProgress,
  type TaskRecord,
  type TaskState,
  TaskStateError
} from './tasks/task-types.ts'
export { UploadNotResumableError } from './upload.ts'
