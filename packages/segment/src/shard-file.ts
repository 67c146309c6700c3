// A shard as this node keeps it: a claim (the owner-signed header, and who handed the shard over,
// which stays local and never travels) then the body. CBOR delimits itself, so the body starts
// where the claim ends. More owners of one shard (the same bytes stored for several) are a list
// of claims kept beside it.
import { crc32c } from '@defs/crypto'
import { concatBytes } from './bytes.ts'
import { decodePrefixWith, decodeWith, encodeWith } from './codec.ts'
import { ShardCorruptError } from './errors.ts'
import { limits } from './limits.ts'
import { bool, list, text } from './schema.ts'
import { checkShardShape, SHARD_HEADER_VERSION, type ShardHeader, shardHeaderFields } from './shard-header.ts'
import { struct } from './struct.ts'

/** The peer that stored a shard here: recorded with the shard, never sent anywhere. */
export interface ShardUploader {
  /** Its peer id (text form). */
  peer: string
  /** Its network group when the shard arrived (see @defs/kbucket's networkGroupOf). */
  group?: string
  /** It was a peer without standing (a stranger) when it stored the shard. */
  stranger?: boolean
}

/** One owner's claim on a stored shard: its signed header, and who stored it (absent: this node). */
export interface ShardClaim extends ShardHeader {
  uploader?: ShardUploader
}

const uploaderSchema = struct<ShardUploader>([
  { key: 1, name: 'peer', schema: text(limits.maxPeerIdTextBytes) },
  { key: 2, name: 'group', schema: text(limits.maxNetworkGroupBytes), optional: true },
  { key: 3, name: 'stranger', schema: bool, optional: true }
])

export const shardClaimSchema = struct<ShardClaim>(
  [...shardHeaderFields, { key: 10, name: 'uploader', schema: uploaderSchema, optional: true }],
  { version: SHARD_HEADER_VERSION, check: checkShardShape }
)

const claimsSchema = list(shardClaimSchema, 1, limits.maxClaimsPerShard)
const maxClaimsBytes = limits.maxClaimsPerShard * limits.maxBytes.shardClaim

export function encodeShardClaim(claim: ShardClaim): Uint8Array {
  return encodeWith(shardClaimSchema, claim, limits.maxBytes.shardClaim, 'shardClaim')
}

/** The claims of one shard, oldest first (1 to limits.maxClaimsPerShard). */
export function encodeShardClaims(claims: ShardClaim[]): Uint8Array {
  return encodeWith(claimsSchema, claims, maxClaimsBytes, 'shardClaims')
}

export function decodeShardClaims(bytes: Uint8Array): ShardClaim[] {
  return decodeWith(claimsSchema, bytes, maxClaimsBytes, 'shardClaims')
}

/** Claim then body: the bytes of a shard file. */
export function sealShard(claim: Omit<ShardClaim, 'length' | 'crc32c'>, body: Uint8Array): Uint8Array {
  return concatBytes(encodeShardClaim({ ...claim, length: body.length, crc32c: crc32c(body) }), body)
}

/**
 * The claim at the start of shard file bytes and where the body starts, without reading or checking
 * the body: `bytes` may hold the whole file or only its first `limits.maxBytes.shardClaim` bytes.
 */
export function peekShardClaim(bytes: Uint8Array): { claim: ShardClaim; bodyOffset: number } {
  const { value, length } = decodePrefixWith(
    shardClaimSchema,
    bytes,
    limits.maxBytes.shardClaim,
    'shardClaim'
  )
  return { claim: value, bodyOffset: length }
}

/** The claim at the start of shard file bytes (see peekShardClaim). */
export function peekShardHeader(bytes: Uint8Array): ShardClaim {
  return peekShardClaim(bytes).claim
}

/**
 * Splits shard file bytes into claim and body (a view, no copy), checking the body's length and
 * CRC32C: ShardCorruptError if either disagrees, another DecodeError if the claim is bad.
 */
export function openShard(bytes: Uint8Array): { header: ShardClaim; body: Uint8Array } {
  const { claim, bodyOffset } = peekShardClaim(bytes)
  const body = bytes.subarray(bodyOffset)
  if (body.length !== claim.length) {
    throw new ShardCorruptError(`shard body is ${body.length} bytes, its header says ${claim.length}`)
  }
  const crc = crc32c(body)
  if (crc !== claim.crc32c)
    throw new ShardCorruptError(`shard body CRC32C is ${crc}, its header says ${claim.crc32c}`)
  return { header: claim, body }
}
