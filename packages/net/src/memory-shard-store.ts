import { createCrc32c } from '@defs/crypto'
import { limits, type ShardClaim, ShardCorruptError, type ShardHeader } from '@defs/segment'
import { hex } from './bytes.ts'
import { QuotaExceededError } from './errors.ts'
import {
  type ByteRange,
  charge,
  claimOf,
  headerOf,
  joinShardBody,
  type ShardBody,
  type ShardStore,
  type StoredUsage,
  sameClaim
} from './shard-store.ts'

interface Entry {
  id: Uint8Array
  bytes: Uint8Array
  claims: ShardClaim[]
}

export interface MemoryShardStoreOptions {
  /** Body bytes it may hold; puts past it throw QuotaExceededError. Default: unbounded. */
  maxBytes?: number
  /**
   * Check whole-body reads against the CRC32C as a disk store does (memory itself does not rot;
   * this is for tests of what a server does with a rotted shard). Default false.
   */
  checkReads?: boolean
}

/** A ShardStore in memory, for tests and tools; nothing survives the process. */
export class MemoryShardStore implements ShardStore {
  private readonly shards = new Map<string, Entry>()
  /** file id -> ids of the shards with a claim for it */
  private readonly files = new Map<string, Set<string>>()
  private readonly maxBytes: number
  private readonly checkReads: boolean
  private readonly charged = {
    byPeer: new Map<string, number>(),
    byGroup: new Map<string, number>(),
    strangers: 0
  }
  private bytes = 0

  constructor(options: MemoryShardStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
    this.checkReads = options.checkReads ?? false
  }

  async has(id: Uint8Array): Promise<boolean> {
    return this.shards.has(hex(id))
  }

  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    const claim = this.shards.get(hex(id))?.claims[0]
    return claim === undefined ? undefined : headerOf(claim)
  }

  async claims(id: Uint8Array): Promise<ShardClaim[]> {
    return [...(this.shards.get(hex(id))?.claims ?? [])]
  }

  async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const entry = this.shards.get(hex(id))
    if (entry === undefined) return undefined
    if (range === undefined) return entry.bytes
    return this.slice(id, entry, range.offset, range.length)
  }

  async *read(id: Uint8Array, range: ByteRange | undefined, chunkSize: number): AsyncIterable<Uint8Array> {
    const entry = this.shards.get(hex(id))
    if (entry === undefined) return
    const { offset, length } = range ?? { offset: 0, length: entry.bytes.byteLength }
    const bytes = this.slice(id, entry, offset, length)
    const crc = this.checkReads && range === undefined ? createCrc32c() : undefined
    for (let at = 0; at < length; at += chunkSize) {
      const piece = bytes.subarray(at, Math.min(length, at + chunkSize))
      crc?.update(piece)
      if (crc !== undefined && at + piece.byteLength === length && crc.value() !== entry.claims[0]!.crc32c) {
        throw new ShardCorruptError(
          `shard ${hex(id)} body CRC32C is ${crc.value()}, its header says ${entry.claims[0]!.crc32c}`,
          { shardId: hex(id) }
        )
      }
      yield piece
    }
  }

  async put(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<void> {
    const key = hex(id)
    const held = this.shards.get(key)
    if (held !== undefined) {
      if (held.claims.some((c) => sameClaim(c, claim))) return
      if (held.claims.length >= limits.maxClaimsPerShard) {
        throw new QuotaExceededError(`shard ${key} has ${held.claims.length} claims, the most it may have`)
      }
      held.claims.push(claim)
      charge(this.charged, claim, 1)
      this.index(key, claim.fileId, true)
      return
    }
    const bytes = joinShardBody(body)
    if (this.bytes + bytes.byteLength > this.maxBytes) {
      throw new QuotaExceededError(
        `memory store full: ${this.bytes} of ${this.maxBytes} bytes used, shard needs ${bytes.byteLength}`
      )
    }
    this.shards.set(key, { id: id.slice(), bytes, claims: [claim] })
    this.bytes += bytes.byteLength
    charge(this.charged, claim, 1)
    this.index(key, claim.fileId, true)
  }

  async unclaim(id: Uint8Array, fileId: Uint8Array, owner: ShardHeader['owner']): Promise<boolean> {
    const entry = this.shards.get(hex(id))
    if (entry === undefined) return false
    const gone = entry.claims.filter((c) => claimOf(c, fileId, owner))
    if (gone.length === 0) return false
    for (const claim of gone) charge(this.charged, claim, -1)
    entry.claims = entry.claims.filter((c) => !claimOf(c, fileId, owner))
    if (!entry.claims.some((c) => hex(c.fileId) === hex(fileId))) this.index(hex(id), fileId, false)
    if (entry.claims.length === 0) this.remove(hex(id), entry)
    return true
  }

  async delete(id: Uint8Array): Promise<boolean> {
    const entry = this.shards.get(hex(id))
    if (entry === undefined) return false
    for (const claim of entry.claims) {
      charge(this.charged, claim, -1)
      this.index(hex(id), claim.fileId, false)
    }
    this.remove(hex(id), entry)
    return true
  }

  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    return [...(this.files.get(hex(fileId)) ?? [])].map((key) => this.shards.get(key)!.id)
  }

  async size(): Promise<number> {
    return this.bytes
  }

  async usage(): Promise<StoredUsage> {
    return this.charged
  }

  /** Shards held (tests). */
  get count(): number {
    return this.shards.size
  }

  private slice(id: Uint8Array, entry: Entry, offset: number, length: number): Uint8Array {
    if (!(offset >= 0 && length >= 0 && offset + length <= entry.bytes.byteLength)) {
      throw new RangeError(
        `range ${offset}+${length} is outside shard ${hex(id)} of ${entry.bytes.byteLength} bytes`
      )
    }
    return entry.bytes.subarray(offset, offset + length)
  }

  private index(key: string, fileId: Uint8Array, claimed: boolean): void {
    const file = hex(fileId)
    let ids = this.files.get(file)
    if (claimed) {
      if (ids === undefined) {
        ids = new Set()
        this.files.set(file, ids)
      }
      ids.add(key)
      return
    }
    ids?.delete(key)
    if (ids?.size === 0) this.files.delete(file)
  }

  private remove(key: string, entry: Entry): void {
    this.shards.delete(key)
    this.bytes -= entry.bytes.byteLength
  }
}
