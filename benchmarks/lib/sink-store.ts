// Shard stores for transfer benchmarks, where one shard is sent again and again.
import { toHex as hex } from '@defs/crypto'
import { type ByteRange, joinShardBody, type ShardBody, type ShardStore, type StoredUsage } from '@defs/net'
import type { ShardClaim, ShardHeader } from '@defs/segment'

/** Accepts every shard and keeps none (but those `keep` names), so repeated puts are transferred every time. */
export class SinkStore implements ShardStore {
  stored = 0
  /** Kept shards (only those `keep` names), to serve gets. */
  readonly kept = new Map<string, Uint8Array>()
  readonly #files = new Map<string, Uint8Array[]>()
  readonly #claims = new Map<string, ShardClaim>()
  readonly keep: (id: Uint8Array) => boolean

  constructor(keep: (id: Uint8Array) => boolean = () => false) {
    this.keep = keep
  }

  async has(id: Uint8Array): Promise<boolean> {
    return this.kept.has(hex(id))
  }
  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    const claim = this.#claims.get(hex(id))
    if (claim === undefined) return undefined
    const { uploader: _, ...header } = claim
    return header
  }
  async claims(id: Uint8Array): Promise<ShardClaim[]> {
    const claim = this.#claims.get(hex(id))
    return claim === undefined ? [] : [claim]
  }
  async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const bytes = this.kept.get(hex(id))
    return range === undefined ? bytes : bytes?.subarray(range.offset, range.offset + range.length)
  }
  async *read(id: Uint8Array, range: ByteRange | undefined, chunkSize: number): AsyncIterable<Uint8Array> {
    const bytes = await this.get(id, range)
    if (bytes === undefined) return
    for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize)
  }
  async put(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<void> {
    const bytes = joinShardBody(body)
    this.stored += bytes.byteLength
    if (!this.keep(id) || this.kept.has(hex(id))) return
    this.#files.set(hex(claim.fileId), [...(this.#files.get(hex(claim.fileId)) ?? []), id])
    this.kept.set(hex(id), bytes)
    this.#claims.set(hex(id), claim)
  }
  async unclaim(): Promise<boolean> {
    return false
  }
  async delete(): Promise<boolean> {
    return false
  }
  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    return this.#files.get(hex(fileId)) ?? []
  }
  async size(): Promise<number> {
    return 0
  }
  async usage(): Promise<StoredUsage> {
    return { byPeer: new Map(), byGroup: new Map(), strangers: 0 }
  }
}
