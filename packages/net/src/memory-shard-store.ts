import type { ShardHeader } from '@defs/segment'
import { hex } from './bytes.ts'
import { QuotaExceededError } from './errors.ts'
import { type ByteRange, joinShardBody, type ShardBody, type ShardStore } from './shard-store.ts'

interface Entry {
  id: Uint8Array
  bytes: Uint8Array
  header: ShardHeader
}

export interface MemoryShardStoreOptions {
  /** Body bytes it may hold; puts past it throw QuotaExceededError. Default: unbounded. */
  maxBytes?: number
}

/** A ShardStore in memory, for tests and tools; nothing survives the process. */
export class MemoryShardStore implements ShardStore {
  private readonly shards = new Map<string, Entry>()
  private readonly files = new Map<string, Set<string>>()
  private readonly maxBytes: number
  private bytes = 0

  constructor(options: MemoryShardStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  }

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
    const { offset, length } = range
    if (!(offset >= 0 && length >= 0 && offset + length <= entry.bytes.byteLength)) {
      throw new RangeError(
        `range ${offset}+${length} is outside shard ${hex(id)} of ${entry.bytes.byteLength} bytes`
      )
    }
    return entry.bytes.subarray(offset, offset + length)
  }

  async put(id: Uint8Array, body: ShardBody, header: ShardHeader): Promise<void> {
    const key = hex(id)
    if (this.shards.has(key)) return
    const bytes = joinShardBody(body)
    if (this.bytes + bytes.byteLength > this.maxBytes) {
      throw new QuotaExceededError(
        `memory store full: ${this.bytes} of ${this.maxBytes} bytes used, shard needs ${bytes.byteLength}`
      )
    }
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
