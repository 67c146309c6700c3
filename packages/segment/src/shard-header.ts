// The small CBOR header in front of a shard's bytes on disk. CBOR delimits itself, so the body
// starts where the header ends; the CRC32C catches bit rot without hashing the whole shard; the
// owner's key says who may delete it.
import { crc32c, type PublicKey } from '@defs/crypto'
import { concatBytes } from './bytes.ts'
import { decodePrefixWith, decodeWith, encodeWith } from './codec.ts'
import { ShardCorruptError } from './errors.ts'
import { fileIdField, publicKeyField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

/** 2: the owner's public key is part of the header. */
export const SHARD_HEADER_VERSION = 2

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
  /**
   * The public key of the file's owner: a holder deletes this shard only on a request signed by
   * it. Bound when the shard is stored, so a holder needs no manifest, and no lookup anyone could
   * answer, to tell who may delete it.
   */
  owner: PublicKey
}

export const shardHeaderSchema = struct<ShardHeader>(
  [
    { key: 1, name: 'fileId', schema: fileIdField },
    { key: 2, name: 'slice', schema: uint(0, limits.maxSlices - 1) },
    { key: 3, name: 'index', schema: uint(0, limits.maxShardsPerSlice - 1) },
    { key: 4, name: 'dataShards', schema: uint(1, limits.maxShardsPerSlice) },
    { key: 5, name: 'parityShards', schema: uint(0, limits.maxShardsPerSlice - 1) },
    { key: 6, name: 'length', schema: uint(0, limits.maxSliceSize + limits.maxSealOverhead) },
    { key: 7, name: 'crc32c', schema: uint(0, 0xffffffff) },
    { key: 8, name: 'owner', schema: publicKeyField }
  ],
  {
    version: SHARD_HEADER_VERSION,
    check(h) {
      const n = h.dataShards + h.parityShards
      if (n > limits.maxShardsPerSlice) return `dataShards + parityShards must be <= 256, got ${n}`
      return h.index < n ? undefined : `index must be below dataShards + parityShards (${n}), got ${h.index}`
    }
  }
)

export function encodeShardHeader(header: ShardHeader): Uint8Array {
  return encodeWith(shardHeaderSchema, header, limits.maxBytes.shardHeader, 'shardHeader')
}

export function decodeShardHeader(bytes: Uint8Array): ShardHeader {
  return decodeWith(shardHeaderSchema, bytes, limits.maxBytes.shardHeader, 'shardHeader')
}

/** The header of `body` (its length and CRC32C filled in). */
export function shardHeaderOf(shard: Omit<ShardHeader, 'length' | 'crc32c'>, body: Uint8Array): ShardHeader {
  return { ...shard, length: body.length, crc32c: crc32c(body) }
}

/** Header then body: the bytes of a shard file. */
export function sealShard(shard: Omit<ShardHeader, 'length' | 'crc32c'>, body: Uint8Array): Uint8Array {
  return concatBytes(encodeShardHeader(shardHeaderOf(shard, body)), body)
}

/**
 * The header at the start of shard file bytes, without reading or checking the body: for a stat
 * that should not read a whole shard. `bytes` may hold the whole file or only its first
 * `limits.maxBytes.shardHeader` bytes.
 */
export function peekShardHeader(bytes: Uint8Array): ShardHeader {
  return decodePrefixWith(shardHeaderSchema, bytes, limits.maxBytes.shardHeader, 'shardHeader').value
}

/**
 * Splits shard file bytes into header and body (a view, no copy), checking the body's length and
 * CRC32C: ShardCorruptError if either disagrees, another DecodeError if the header is bad.
 */
export function openShard(bytes: Uint8Array): { header: ShardHeader; body: Uint8Array } {
  const { value: header, length } = decodePrefixWith(
    shardHeaderSchema,
    bytes,
    limits.maxBytes.shardHeader,
    'shardHeader'
  )
  const body = bytes.subarray(length)
  if (body.length !== header.length) {
    throw new ShardCorruptError(`shard body is ${body.length} bytes, its header says ${header.length}`)
  }
  const crc = crc32c(body)
  if (crc !== header.crc32c)
    throw new ShardCorruptError(`shard body CRC32C is ${crc}, its header says ${header.crc32c}`)
  return { header, body }
}
