// Sealing a user's tree: a fresh key per blob, wrapped to the user's own public key, encrypts the
// tree with AES-256-GCM. Only the holder of the user's signing key opens it, so the home node's
// disk, every mirror and every storage node hold ciphertext; a fresh key per blob means a random
// nonce is never reused under one key.
import {
  concatBytes,
  createAead,
  encodePublicKey,
  fileKeyLength,
  generateFileKey,
  generateNonce,
  type PublicKey,
  type SigningKey,
  unwrapKeyWithSigningKey,
  wrapKeyForRecipient
} from '@defs/crypto'
import { decodeUserTree, encodeUserTree, type UserTree } from '@defs/segment'
import { BadBlobError } from './errors.ts'

const NONCE_BYTES = 12
const aadPrefix = new TextEncoder().encode('defs:tree:v1\0')

function aadOf(user: PublicKey): Uint8Array {
  return concatBytes(aadPrefix, encodePublicKey(user))
}

/** `[u16 wrapped key length][wrapped key][nonce][ciphertext]`. */
export async function sealTree(tree: UserTree, user: PublicKey): Promise<Uint8Array> {
  const plain = encodeUserTree(tree)
  const key = generateFileKey()
  const wrapped = await wrapKeyForRecipient(key, user)
  const nonce = generateNonce()
  const sealed = await (await createAead()).encrypt(key, nonce, plain, aadOf(user))
  const length = Uint8Array.of(wrapped.length >> 8, wrapped.length & 0xff)
  return concatBytes(length, wrapped, nonce, sealed)
}

export async function openTree(blob: Uint8Array, userKey: SigningKey): Promise<UserTree> {
  if (!(blob instanceof Uint8Array) || blob.length < 2) throw new BadBlobError('tree blob is too short')
  const wrappedLength = (blob[0]! << 8) | blob[1]!
  const start = 2 + wrappedLength
  if (blob.length < start + NONCE_BYTES) throw new BadBlobError('tree blob is truncated')
  const key = await unwrapKeyWithSigningKey(blob.subarray(2, start), userKey)
  if (key.length !== fileKeyLength) throw new BadBlobError('tree blob holds a key of the wrong length')
  const nonce = blob.subarray(start, start + NONCE_BYTES)
  const plain = await (await createAead()).decrypt(
    key,
    nonce,
    blob.subarray(start + NONCE_BYTES),
    aadOf(userKey.publicKey)
  )
  return decodeUserTree(plain)
}

/** A tree blob for an empty tree, as a new account's first root points at. */
export function emptyTree(): UserTree {
  return { entries: [] }
}
