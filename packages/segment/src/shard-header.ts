// The small CBOR header of a shard: what it belongs to (file, slice, index, code), the facts of
// its body (length, CRC32C, which catch bit rot without hashing the whole shard) and its owner,
// who signs all of that together with the shard id. A holder trusts an owner only through that
// signature, and deletes a shard only on a request signed by an owner of it.
import { crc32c, type PublicKey, type SigningKey, verifySignature } from '@defs/crypto'
import { concatBytes, domainOf } from './bytes.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { SignatureError } from './errors.ts'
import { fileIdField, publicKeyField, signatureField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { type Field, struct } from './struct.ts'

/** 3: the owner signs the header (2 added the owner's key). */
export const SHARD_HEADER_VERSION = 3

export interface ShardHeader {
  fileId: Uint8Array
  /** Slice index within the file. */
  slice: number
  /** Shard index within the slice: data shards first, then parity. */
  index: number
  dataShards: number
  parityShards: number
  /** Bytes of the shard body. */
  length: number
  /** CRC32C of the shard body. */
  crc32c: number
  /** The public key of an owner of the file: a holder deletes its claim only on a request signed by it. */
  owner: PublicKey
  /** `owner`'s signature over the shard id and every other field (see `signShardHeader`). */
  signature: Uint8Array
}

/** A header before its owner signed it. */
export type UnsignedShardHeader = Omit<ShardHeader, 'owner' | 'signature'>

const unsignedHeaderFields: Field[] = [
  { key: 1, name: 'fileId', schema: fileIdField },
  { key: 2, name: 'slice', schema: uint(0, limits.maxSlices - 1) },
  { key: 3, name: 'index', schema: uint(0, limits.maxShardsPerSlice - 1) },
  { key: 4, name: 'dataShards', schema: uint(1, limits.maxShardsPerSlice) },
  { key: 5, name: 'parityShards', schema: uint(0, limits.maxShardsPerSlice - 1) },
  { key: 6, name: 'length', schema: uint(0, limits.maxSliceSize + limits.maxSealOverhead) },
  { key: 7, name: 'crc32c', schema: uint(0, 0xffffffff) }
]

export const shardHeaderFields: Field[] = [
  ...unsignedHeaderFields,
  { key: 8, name: 'owner', schema: publicKeyField },
  { key: 9, name: 'signature', schema: signatureField }
]

export function checkShardShape(h: UnsignedShardHeader): string | undefined {
  const n = h.dataShards + h.parityShards
  if (n > limits.maxShardsPerSlice) return `dataShards + parityShards must be <= 256, got ${n}`
  return h.index < n ? undefined : `index must be below dataShards + parityShards (${n}), got ${h.index}`
}

export const shardHeaderSchema = struct<ShardHeader>(shardHeaderFields, {
  version: SHARD_HEADER_VERSION,
  check: checkShardShape
})

/** What the owner signs besides the shard id: the header without the signature, owner included. */
const signedPartSchema = struct<Omit<ShardHeader, 'signature'>>(shardHeaderFields.slice(0, -1), {
  version: SHARD_HEADER_VERSION,
  check: checkShardShape
})
const claimDomain = domainOf('shard', SHARD_HEADER_VERSION)

export function encodeShardHeader(header: ShardHeader): Uint8Array {
  return encodeWith(shardHeaderSchema, header, limits.maxBytes.shardHeader, 'shardHeader')
}

export function decodeShardHeader(bytes: Uint8Array): ShardHeader {
  return decodeWith(shardHeaderSchema, bytes, limits.maxBytes.shardHeader, 'shardHeader')
}

/** The unsigned header of `body` (its length and CRC32C filled in). */
export function shardHeaderOf(
  shard: Omit<UnsignedShardHeader, 'length' | 'crc32c'>,
  body: Uint8Array
): UnsignedShardHeader {
  const { fileId, slice, index, dataShards, parityShards } = shard
  return { fileId, slice, index, dataShards, parityShards, length: body.length, crc32c: crc32c(body) }
}

function signedBytes(id: Uint8Array, header: Omit<ShardHeader, 'signature'>): Uint8Array {
  return concatBytes(
    claimDomain,
    id,
    encodeWith(signedPartSchema, header, limits.maxBytes.shardHeader, 'shardHeader')
  )
}

/**
 * The header of shard `id` signed by `key`, its owner: one signature over
 * `defs:shard:v3\0 || id || the header's CBOR without the signature`.
 */
export async function signShardHeader(
  key: SigningKey,
  id: Uint8Array,
  header: UnsignedShardHeader
): Promise<ShardHeader> {
  const { fileId, slice, index, dataShards, parityShards, length, crc32c } = header
  const unsigned = { fileId, slice, index, dataShards, parityShards, length, crc32c, owner: key.publicKey }
  return { ...unsigned, signature: await key.sign(signedBytes(id, unsigned)) }
}

/** Throws SignatureError unless `header.owner` signed `header` for shard `id`. */
export async function verifyShardHeader(id: Uint8Array, header: ShardHeader): Promise<void> {
  const { signature, ...unsigned } = header
  let valid: boolean
  try {
    valid = await verifySignature(header.owner, signedBytes(id, unsigned), signature)
  } catch (err) {
    throw new SignatureError(`shard header: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (!valid) throw new SignatureError('shard header is not signed by the owner it names')
}
