/**
 * @packageDocumentation
 *
 * User accounts with a signed root, full mirrors on other nodes, and failover that needs only the
 * user. A user's root (their sealed tree, friends list and file ids) is a signed, numbered record
 * updated by compare-and-swap at their home node; a home record, signed by the user alone, names
 * that node, and every node follows the newest one.
 *
 * @example
 * ```ts
 * import { memoryBlobStore, memoryManifestStore, memoryStateStore, mirrorService } from '@defs/mirror'
 * import { createHost, MemoryShardStore } from '@defs/net'
 *
 * // A node passes its own stores; memory ones do for a first look.
 * const parts = () => ({
 *   state: memoryStateStore(),
 *   content: { manifests: memoryManifestStore(), shards: new MemoryShardStore(), blobs: memoryBlobStore() }
 * })
 * const [home, mirror] = await Promise.all([1, 2].map(() => createHost({ host: '127.0.0.1', services: { mirror: mirrorService(parts()) } })))
 * const { account } = await home!.services.mirror.accounts.create('alice', 'correct horse battery staple')
 * await mirror!.dial(home!.getMultiaddrs()[0]!)
 * const report = await mirror!.services.mirror.addMirror(account.publicKey, home!.peerId) // root, blobs, manifests, k shards per slice
 * console.log('mirrored root', report.seq)
 * await home!.stop() // alice's home is gone: she moves home to the mirror with her passphrase alone
 * const moved = await mirror!.services.mirror.accounts.moveHome('alice', 'correct horse battery staple', mirror!.peerId)
 * console.log('home moved', moved.home === mirror!.peerId.toString())
 * await mirror!.stop()
 * ```
 */

export {
  checkUserName,
  createAccount,
  decodeAccount,
  encodeAccount,
  type UserAccount,
  unlockAccount,
  userIdOf
} from './account.ts'
export type { ManifestStore, MirrorContent, ShardSource } from './content.ts'
export {
  BadBlobError,
  IncompleteCopyError,
  InvalidAccountError,
  MirrorPeerError,
  NotHomeError,
  NotSharedError,
  RootConflictError,
  StaleRecordError,
  UnknownFileError,
  UnknownUserError,
  WrongPassphraseError,
  WrongUserError
} from './errors.ts'
export {
  DEFAULT_MIRROR_INTERVAL_MS,
  DEFAULT_MIRROR_RETRY_MS,
  type MirrorComponents,
  MirrorService,
  type MirrorServiceInit,
  type MirrorStatus,
  mirrorService,
  type RootRead
} from './mirror-service.ts'
export { peerIdText } from './peer-text.ts'
export { type GivenShare, openRecoveryShare, recoverKey, recoveryFriendsList } from './recovery.ts'
export { answerMirrorRequest, type OnStateAsked } from './serve.ts'
export { blobId, blobsOf, type RootContent, signHome, signNextRoot, signRootChange } from './signing.ts'
export {
  type BlobStore,
  memoryBlobStore,
  memoryManifestStore,
  memoryStateStore,
  type StateStore
} from './state-store.ts'
export {
  type AskMirror,
  type Copied,
  type SyncContext,
  type SyncProgressEvent,
  type SyncReport,
  syncUser
} from './sync.ts'
export { emptyTree, openTree, sealTree } from './tree-seal.ts'
export { type LoginPolicy, UserAccounts, type UserSummary } from './user-accounts.ts'
export { type OpenedFile, type SharedFile, UserFiles } from './user-files.ts'
export { type HeldHome, type HeldRoot, type Offered, UserRecords } from './user-records.ts'
