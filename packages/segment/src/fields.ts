// Field schemas shared by several types: ids, keys, signatures.
import { type PublicKey, type SignatureAlgorithm, signatureAlgorithms } from '@defs/crypto'
import { equalBytes } from './bytes.ts'
import { FILE_ID_BYTES, limits, SHARD_ID_BYTES } from './limits.ts'
import { bytes, list, oneOf, type Schema } from './schema.ts'
import { struct } from './struct.ts'

export const fileIdField = bytes(FILE_ID_BYTES)
export const shardIdField = bytes(SHARD_ID_BYTES)
export const peerIdField = bytes(1, limits.maxPeerIdBytes)
/** Random 128-bit nonces of delete requests, audits and index queries. */
export const nonce16Field = bytes(16)

export function shardIdsField(min: number, max: number): Schema<Uint8Array[]> {
  return list(shardIdField, min, max)
}

/** Ed25519: the 32-byte RFC 8032 key; ECDSA: the 33-byte compressed SEC1 point (as @defs/crypto gives them). */
export const publicKeyLength: Record<SignatureAlgorithm, number> = { ed25519: 32, secp256k1: 33, p256: 33 }
/** Every algorithm's signature is 64 bytes (ECDSA as raw r || s). */
export const SIGNATURE_BYTES = 64

const keyBytes = Object.fromEntries(signatureAlgorithms.map((a) => [a, bytes(publicKeyLength[a])])) as Record<
  SignatureAlgorithm,
  Schema<Uint8Array>
>

/** `{ 1: algorithm, 2: key bytes }`; the length of the bytes follows from the algorithm. */
export const publicKeyField: Schema<PublicKey> = struct<PublicKey>([
  { key: 1, name: 'algorithm', schema: oneOf(signatureAlgorithms) },
  { key: 2, name: 'bytes', schema: (before) => keyBytes[before.algorithm as SignatureAlgorithm] }
])

export const signatureField = bytes(SIGNATURE_BYTES)

export function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  return a.algorithm === b.algorithm && equalBytes(a.bytes, b.bytes)
}
