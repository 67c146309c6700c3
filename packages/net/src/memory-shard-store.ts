import type { ShardHeader } from '@defs/segment'
import { hex } from './bytes.ts'
import { type ByteRange, joinShardBody, type ShardBody, type ShardStore } from './shard-store.ts'

interface Entry {
  id: Uint8Array
  bytes: Uint8Array
  header: ShardHeader
}

/** A ShardStore in memory, for tests and tools; nothing survives the process. */
export class MemoryShardStore implements ShardStore {
  private readonly shards = new Map<string, Entry>()
  private readonly files = new Map<string, Set<string>>()
  private bytes = 0

  async has(id: Uint8Array): Promise<boolean> {
    return this.shards.has(hex(id))
  }

  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    return this.shards.get(hex(id))?.header
  }

  async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const entry = this.shards.get(hex(id))
    if (entry === undefined) return undefined
    if (range === undefined) return entry.bytes
    return entry.bytes.subarray(range.offset, range.offset + range.length)
  }

  async put(id: Uint8Array, body: ShardBody, header: ShardHeader): Promise<void> {
    const key = hex(id)
    if (this.shards.has(key)) return
    const bytes = joinShardBody(body)
    this.shards.set(key, { id: id.slice(), bytes, header })
    this.bytes += bytes.byteLength
    const file = hex(header.fileId)
    let ids = this.files.get(file)
    if (ids === undefined) {
      ids = new Set()
      this.files.set(file, ids)
    }
    ids.add(key)
  }

  async delete(id: Uint8Array): Promise<boolean> {
    const key = hex(id)
    const entry = this.shards.get(key)
    if (entry === undefined) return false
    this.shards.delete(key)
    this.bytes -= entry.bytes.byteLength
    const file = hex(entry.header.fileId)
    const ids = this.files.get(file)
    ids?.delete(key)
    if (ids?.size === 0) this.files.delete(file)
    return true
  }

  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    const ids = this.files.get(hex(fileId)) ?? new Set<string>()
    return [...ids].map((key) => this.shards.get(key)!.id)
  }

  async size(): Promise<number> {
    return this.bytes
  }

  /** Shards held (tests). */
  get count(): number {
    return this.shards.size
  }
}
