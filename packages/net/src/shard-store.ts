// The store the shard protocol serves from. net does not own it: @defs/node brings the disk one,
// tests and small tools use MemoryShardStore. Every implementation passes the suite of
// `@defs/net/compliance`.
import { concatBytes } from '@defs/crypto'
import type { ByteRange, ShardClaim, ShardHeader } from '@defs/segment'
import { equalBytes } from './bytes.ts'

export type { ByteRange }

/** A shard body: one buffer, or the pieces it arrived in off the wire, in order. */
export type ShardBody = Uint8Array | readonly Uint8Array[]

/** The body as one buffer (a whole body as is, pieces joined). */
export function joinShardBody(body: ShardBody): Uint8Array {
  return body instanceof Uint8Array ? body : concatBytes(...body)
}

/**
 * Bytes charged to whoever stored them: each claim with an uploader charges its peer (and its
 * network group) the shard's length; `strangers` sums the claims made by peers without standing.
 */
export interface StoredUsage {
  byPeer: ReadonlyMap<string, number>
  byGroup: ReadonlyMap<string, number>
  strangers: number
}

export interface ShardStore {
  has(id: Uint8Array): Promise<boolean>
  /** The header of a stored shard (its oldest claim's, without the uploader); undefined when absent. */
  stat(id: Uint8Array): Promise<ShardHeader | undefined>
  /** Every owner's claim on a stored shard, oldest first; [] when absent. */
  claims(id: Uint8Array): Promise<ShardClaim[]>
  /**
   * The shard body, checked against its length and CRC32C (ShardCorruptError if it rotted), or
   * only `range` of it, read alone (unchecked). Undefined when absent; RangeError for a range
   * outside the shard.
   */
  get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined>
  /**
   * `range` of the body (all of it by default) in pieces of at most `chunkSize` bytes, read one
   * at a time: what a get streams out, never more than a chunk in memory. Reading the whole body,
   * a store whose bytes can rot checks them and throws ShardCorruptError before the last piece.
   * Yields nothing when the shard is absent.
   */
  read(id: Uint8Array, range: ByteRange | undefined, chunkSize: number): AsyncIterable<Uint8Array>
  /**
   * Store a verified shard (its SHA-256 is `id`, its length and CRC32C are the claim's, the owner's
   * signature checked); resolves once it is durable. The body comes whole or in the pieces it
   * arrived in. A shard held already keeps its bytes and gains the claim when no claim of that
   * owner for that file, slice and index exists; the same claim again changes nothing.
   * QuotaExceededError past the store's byte bound, or past `limits.maxClaimsPerShard` claims.
   * A store that knows how many durable copies exist once it resolves (a paired node's counts its
   * partner's) resolves with that number; the put's answer passes it on.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: stores that count nothing keep returning Promise<void>
  put(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<void | number>
  /**
   * Remove `owner`'s claims on shard `id` for `fileId`; the shard goes with its last claim. True
   * when a claim was removed.
   */
  unclaim(id: Uint8Array, fileId: Uint8Array, owner: ShardHeader['owner']): Promise<boolean>
  /** Remove the shard and every claim on it (this node's own decision). True if it was there. */
  delete(id: Uint8Array): Promise<boolean>
  /** Ids of the shards held with a claim for `fileId` (for index answers and whole-file deletes). */
  shardsOf(fileId: Uint8Array): Promise<Uint8Array[]>
  /** Bytes of shard bodies stored, each shard once however many claim it. */
  size(): Promise<number>
  /** What the stored claims charge each uploader; kept across restarts. */
  usage(): Promise<StoredUsage>
}

/** One claim per owner, file, slice and index: a second put of it changes nothing. */
export function sameClaim(a: ShardHeader, b: ShardHeader): boolean {
  return (
    a.slice === b.slice &&
    a.index === b.index &&
    a.owner.algorithm === b.owner.algorithm &&
    equalBytes(a.owner.bytes, b.owner.bytes) &&
    equalBytes(a.fileId, b.fileId)
  )
}

/** Whether `claim` is `owner`'s on `fileId`. */
export function claimOf(claim: ShardHeader, fileId: Uint8Array, owner: ShardHeader['owner']): boolean {
  return (
    claim.owner.algorithm === owner.algorithm &&
    equalBytes(claim.owner.bytes, owner.bytes) &&
    equalBytes(claim.fileId, fileId)
  )
}

/** The claim without its uploader: the header a peer signed. */
export function headerOf(claim: ShardClaim): ShardHeader {
  const { uploader: _, ...header } = claim
  return header
}

/** Adds what `claim` charges to `usage` (`sign` -1 takes it back). */
export function charge(
  usage: { byPeer: Map<string, number>; byGroup: Map<string, number>; strangers: number },
  claim: ShardClaim,
  sign: 1 | -1
): void {
  const u = claim.uploader
  if (u === undefined) return
  const bytes = sign * claim.length
  addBytes(usage.byPeer, u.peer, bytes)
  if (u.group !== undefined) addBytes(usage.byGroup, u.group, bytes)
  if (u.stranger === true) usage.strangers += bytes
}

/** Adds `bytes` (may be negative) to `map[key]`, forgetting keys that reach zero. */
export function addBytes(map: Map<string, number>, key: string, bytes: number): void {
  const total = (map.get(key) ?? 0) + bytes
  if (total <= 0) map.delete(key)
  else map.set(key, total)
}
