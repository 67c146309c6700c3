// Proof of storage: the challenger names a shard, a fresh nonce and a few byte ranges; the holder
// answers with SHA-256 over them, which it cannot compute without the bytes.
import { createSha256 } from '@defs/crypto'
import { domainOf } from './bytes.ts'
import { decodeWith, encodeWith } from './codec.ts'
import { AuditRangeError } from './errors.ts'
import { nonce16Field, shardIdField } from './fields.ts'
import { limits } from './limits.ts'
import { bytes, list, uint } from './schema.ts'
import { struct } from './struct.ts'

export const AUDIT_VERSION = 1

/** Bytes `offset .. offset + length` of a shard body: what a ranged read or an audit names. */
export interface ByteRange {
  offset: number
  length: number
}

export interface AuditChallenge {
  /** Id of the shard to prove. */
  shard: Uint8Array
  /** 16 fresh random bytes, so an old answer cannot be replayed. */
  nonce: Uint8Array
  /** Byte ranges of the shard to hash, in the order given. */
  ranges: ByteRange[]
}

export interface AuditResponse {
  /** The challenge's nonce, echoed. */
  nonce: Uint8Array
  /** `auditDigest(challenge, shard)`. */
  digest: Uint8Array
}

const rangeSchema = struct<ByteRange>([
  { key: 1, name: 'offset', schema: uint(0, limits.maxSliceSize + limits.maxSealOverhead) },
  { key: 2, name: 'length', schema: uint(1, limits.maxAuditRangeBytes) }
])

const challengeSchema = struct<AuditChallenge>(
  [
    { key: 1, name: 'shard', schema: shardIdField },
    { key: 2, name: 'nonce', schema: nonce16Field },
    { key: 3, name: 'ranges', schema: list(rangeSchema, 1, limits.maxAuditRanges) }
  ],
  { version: AUDIT_VERSION }
)

const responseSchema = struct<AuditResponse>(
  [
    { key: 1, name: 'nonce', schema: nonce16Field },
    { key: 2, name: 'digest', schema: bytes(32) }
  ],
  { version: AUDIT_VERSION }
)

export const auditChallengeSchema = challengeSchema
export const auditResponseSchema = responseSchema

export function encodeAuditChallenge(challenge: AuditChallenge): Uint8Array {
  return encodeWith(challengeSchema, challenge, limits.maxBytes.auditChallenge, 'auditChallenge')
}

export function decodeAuditChallenge(bytes: Uint8Array): AuditChallenge {
  return decodeWith(challengeSchema, bytes, limits.maxBytes.auditChallenge, 'auditChallenge')
}

export function encodeAuditResponse(response: AuditResponse): Uint8Array {
  return encodeWith(responseSchema, response, limits.maxBytes.auditResponse, 'auditResponse')
}

export function decodeAuditResponse(bytes: Uint8Array): AuditResponse {
  return decodeWith(responseSchema, bytes, limits.maxBytes.auditResponse, 'auditResponse')
}

const auditDomain = domainOf('audit', AUDIT_VERSION)

/**
 * SHA-256 of `defs:audit:v1\0 || shard id || nonce || the ranges' bytes`; both sides compute it.
 * Throws AuditRangeError if a range lies outside `shard` (the shard body, without its header).
 */
export async function auditDigest(challenge: AuditChallenge, shard: Uint8Array): Promise<Uint8Array> {
  return auditDigestOf(challenge, shard.length, async ({ offset, length }) =>
    shard.subarray(offset, offset + length)
  )
}

/**
 * The same digest from a shard of `shardLength` bytes that `read` gives range by range (a holder
 * reads only the challenged bytes, one range at a time). AuditRangeError before any read if a
 * range lies outside the shard.
 */
export async function auditDigestOf(
  challenge: AuditChallenge,
  shardLength: number,
  read: (range: ByteRange) => Promise<Uint8Array>
): Promise<Uint8Array> {
  for (const [i, { offset, length }] of challenge.ranges.entries()) {
    if (offset + length > shardLength) {
      throw new AuditRangeError(`ranges[${i}] ${offset}+${length} lies outside the ${shardLength}-byte shard`)
    }
  }
  const hash = createSha256().update(auditDomain).update(challenge.shard).update(challenge.nonce)
  for (const range of challenge.ranges) hash.update(await read(range))
  return hash.digest()
}
