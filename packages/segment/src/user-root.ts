// A user's root: "my tree is the blob with this hash, my friends list that one, and these are the
// files they name", signed by the user and numbered. Updates are compare-and-swap: a new root
// names the digest of the one it replaces and carries a higher seq, so two writers racing from
// the same root cannot both win, and an old root replayed later is never taken back. The file
// ids are listed in the clear (storage nodes see them anyway) so a mirror can copy every
// manifest and shard without being able to read the tree itself.
import { type PublicKey, sha256 } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, publicKeyField } from './fields.ts'
import { limits } from './limits.ts'
import { bytes, list, uint } from './schema.ts'
import { struct } from './struct.ts'

export const USER_ROOT_VERSION = 1
/** Bytes of the SHA-256 digests a root uses to name blobs and the root it replaces. */
export const ROOT_DIGEST_BYTES = 32

export interface UserRoot {
  /** The user; the envelope must be signed by this key. */
  user: PublicKey
  /** 1 for the first root; every update is higher than the root it replaces. */
  seq: number
  /** SHA-256 of the payload of the root this one replaces; absent exactly when seq is 1. */
  previous?: Uint8Array
  /** SHA-256 of the sealed tree blob (names -> file ids and wrapped keys, encrypted). */
  tree: Uint8Array
  /** SHA-256 of the friends list blob; absent while the user has no friends. */
  friends?: Uint8Array
  /** Every file id the tree names, so a mirror copies their manifests and shards. */
  files: Uint8Array[]
  /** SHA-256 of the user's account blob (their key wrapped under their passphrase), so a mirror
   * holds what the user needs to log in there and move home. */
  keystore?: Uint8Array
  /** When the user signed it, ms since the epoch (informative: seq orders roots). */
  time: number
}

const digestField = bytes(ROOT_DIGEST_BYTES)

const userRootSchema = struct<UserRoot>(
  [
    { key: 1, name: 'user', schema: publicKeyField },
    { key: 2, name: 'seq', schema: uint(1) },
    { key: 3, name: 'previous', schema: digestField, optional: true },
    { key: 4, name: 'tree', schema: digestField },
    { key: 5, name: 'friends', schema: digestField, optional: true },
    { key: 6, name: 'files', schema: list(fileIdField, 0, limits.maxRootFiles) },
    { key: 7, name: 'time', schema: uint() },
    { key: 8, name: 'keystore', schema: digestField, optional: true }
  ],
  {
    version: USER_ROOT_VERSION,
    check: (r) =>
      (r.seq === 1) === (r.previous === undefined)
        ? undefined
        : `previous must be absent exactly when seq is 1 (seq ${r.seq})`
  }
)

export function encodeUserRoot(root: UserRoot): Uint8Array {
  return encodeWith(userRootSchema, root, limits.maxBytes.userRoot, 'userRoot')
}

export function decodeUserRoot(bytes: Uint8Array): UserRoot {
  return decodeWith(userRootSchema, bytes, limits.maxBytes.userRoot, 'userRoot')
}

/** The digest a later root names as its `previous`: SHA-256 of this root's signed payload. */
export function rootDigest(payload: Uint8Array): Promise<Uint8Array> {
  return sha256(payload)
}
