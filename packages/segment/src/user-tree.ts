// The two blobs a user root points at. The tree (names -> file ids and wrapped file keys) is
// encoded here and sealed by its owner before it leaves the machine, so storage and mirror nodes
// hold ciphertext only. The friends list stays readable by its holders, but everything granted in
// it is wrapped to the friend's key, so a mirror sees who the friends are, never what they got.
import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, publicKeyField } from './fields.ts'
import { limits } from './limits.ts'
import { bytes, list, refine, text, uint } from './schema.ts'
import { struct } from './struct.ts'

export const USER_TREE_VERSION = 1
export const FRIENDS_LIST_VERSION = 1

export interface TreeEntry {
  /** The file's name in the user's tree ('/'-separated path, unique in one tree). */
  name: string
  fileId: Uint8Array
  /** The file key wrapped to the user's key (as the node keystore keeps it). */
  wrappedKey: Uint8Array
  /**
   * SHA-256 of each grant of this file in the friends list: a grant is wrapped to the friend, so
   * only these (sealed with the tree) let the owner find it again to revoke it.
   */
  grants?: Uint8Array[]
}

export interface UserTree {
  entries: TreeEntry[]
}

export interface Friend {
  key: PublicKey
  /** Capabilities granted to this friend, each wrapped to `key`. */
  grants: Uint8Array[]
  /** This friend's share of the user's key for account recovery, wrapped to `key`. */
  recoveryShare?: Uint8Array
}

/** The public part of a recovery split: which shares recover the key (salted hashes only). */
export interface RecoveryCommitment {
  threshold: number
  salt: Uint8Array
  secretHash: Uint8Array
  shareHashes: Uint8Array[]
}

export interface FriendsList {
  friends: Friend[]
  /** Present once the user set up recovery: any `threshold` friends' shares give the key back. */
  recovery?: RecoveryCommitment
}

const nameField = refine(text(limits.maxTreeNameBytes), (n) =>
  n.length > 0 ? undefined : 'must not be empty'
)

const treeEntrySchema = struct<TreeEntry>([
  { key: 1, name: 'name', schema: nameField },
  { key: 2, name: 'fileId', schema: fileIdField },
  { key: 3, name: 'wrappedKey', schema: bytes(1, limits.maxWrappedKeyBytes) },
  { key: 4, name: 'grants', schema: list(bytes(32), 1, limits.maxFriends), optional: true }
])

const userTreeSchema = struct<UserTree>(
  [{ key: 1, name: 'entries', schema: list(treeEntrySchema, 0, limits.maxRootFiles) }],
  {
    version: USER_TREE_VERSION,
    check: (t) => {
      const names = new Set(t.entries.map((e) => e.name))
      return names.size === t.entries.length ? undefined : 'entries must have distinct names'
    }
  }
)

const friendSchema = struct<Friend>([
  { key: 1, name: 'key', schema: publicKeyField },
  { key: 2, name: 'grants', schema: list(bytes(1, limits.maxGrantBytes), 0, limits.maxGrantsPerFriend) },
  { key: 3, name: 'recoveryShare', schema: bytes(1, limits.maxGrantBytes), optional: true }
])

const digest = bytes(32)
const recoverySchema = struct<RecoveryCommitment>(
  [
    { key: 1, name: 'threshold', schema: uint(1, 255) },
    { key: 2, name: 'salt', schema: digest },
    { key: 3, name: 'secretHash', schema: digest },
    { key: 4, name: 'shareHashes', schema: list(digest, 1, 255) }
  ],
  {
    check: (c) =>
      c.shareHashes.length >= c.threshold
        ? undefined
        : `shareHashes must hold at least threshold (${c.threshold}) hashes, got ${c.shareHashes.length}`
  }
)

const friendsListSchema = struct<FriendsList>(
  [
    { key: 1, name: 'friends', schema: list(friendSchema, 0, limits.maxFriends) },
    { key: 2, name: 'recovery', schema: recoverySchema, optional: true }
  ],
  { version: FRIENDS_LIST_VERSION }
)

export function encodeUserTree(tree: UserTree): Uint8Array {
  return encodeWith(userTreeSchema, tree, limits.maxBytes.userTree, 'userTree')
}

export function decodeUserTree(bytes: Uint8Array): UserTree {
  return decodeWith(userTreeSchema, bytes, limits.maxBytes.userTree, 'userTree')
}

export function encodeFriendsList(list: FriendsList): Uint8Array {
  return encodeWith(friendsListSchema, list, limits.maxBytes.friendsList, 'friendsList')
}

export function decodeFriendsList(bytes: Uint8Array): FriendsList {
  return decodeWith(friendsListSchema, bytes, limits.maxBytes.friendsList, 'friendsList')
}
