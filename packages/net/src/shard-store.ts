// The store the shard protocol serves from. net does not own it: @defs/node brings the disk one,
// tests and small tools use MemoryShardStore.
import { concatBytes } from '@defs/crypto'
import type { ByteRange, ShardHeader } from '@defs/segment'

export type { ByteRange }

/** A shard body: one buffer, or the pieces it arrived in off the wire, in order. */
export type ShardBody = Uint8Array | readonly Uint8Array[]

/** The body as one buffer (a whole body as is, pieces joined). */
export function joinShardBody(body: ShardBody): Uint8Array {
  return body instanceof Uint8Array ? body : concatBytes(...body)
}

export interface ShardStore {
  has(id: Uint8Array): Promise<boolean>
  /** The header of a stored shard, or undefined when absent. */
  stat(id: Uint8Array): Promise<ShardHeader | undefined>
  /** The shard body, or `range` of it; undefined when absent. The range lies inside (checked by the caller). */
  get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined>
  /**
   * Store a verified shard (its SHA-256 is `id`, its length and CRC32C are the header's); resolves
   * once it is durable. The body comes whole or in the pieces it arrived in. Storing an id again
   * is a no-op.
   */
  put(id: Uint8Array, body: ShardBody, header: ShardHeader): Promise<void>
  /** True if the shard was there. */
  delete(id: Uint8Array): Promise<boolean>
  /** Ids of the shards of `fileId` held here (for index answers and whole-file deletes). */
  shardsOf(fileId: Uint8Array): Promise<Uint8Array[]>
  /** Bytes of shard bodies stored. */
  size(): Promise<number>
}
