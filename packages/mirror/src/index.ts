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
 * import { createAccount, memoryStateStore, sealTree, signHome, signNextRoot, UserRecords } from '@defs/mirror'
 *
 * const self = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32)]) // this node's peer id
 * const { account, key } = await createAccount('alice', 'correct horse battery staple')
 * const records = new UserRecords(memoryStateStore(), self)
 * await records.offerHome(await signHome(key, self, undefined)) // alice's home is this node
 * const tree = await sealTree({ entries: [] }, account.publicKey) // ciphertext only
 * await records.writeRoot(await signNextRoot(key, undefined, { tree, files: [] }))
 * console.log((await records.root(account.publicKey))?.record.seq) // 1
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
  RootConflictError,
  StaleRecordError,
  UnknownUserError,
  WrongPassphraseError,
  WrongUserError
} from './errors.ts'
export {
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
export { type BlobStore, memoryBlobStore, memoryStateStore, type StateStore } from './state-store.ts'
export { type AskMirror, type Copied, type SyncContext, type SyncReport, syncUser } from './sync.ts'
export { emptyTree, openTree, sealTree } from './tree-seal.ts'
export { type LoginPolicy, UserAccounts, type UserSummary } from './user-accounts.ts'
export { type HeldHome, type HeldRoot, type Offered, UserRecords } from './user-records.ts'
