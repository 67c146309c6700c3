// Shards kept for others (and for ourselves) on disk: one file per shard under a directory per
// file (shards/<fileId hex>/<shard id hex>), holding its first owner's claim then the bytes; more
// owners of the same bytes are listed in `<shard id>.claims` beside it (see shard-files.ts). Every
// write is temp (in tmp/, same filesystem) + fsync + rename, so a crash leaves the old state or
// the new one. Stored bytes are counted against a quota, and what each claim charges its uploader
// is rebuilt from the claims on open. This is the disk implementation of @defs/net's ShardStore.
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type ByteRange,
  ClaimDeletedError,
  claimOf,
  headerOf,
  QuotaExceededError,
  type ShardBody,
  type StoredUsage,
  sameClaim
} from '@defs/net'
import {
  encodeShardClaim,
  encodeShardClaims,
  limits,
  openShard,
  type ShardClaim,
  type ShardHeader
} from '@defs/segment'
import type { NodeShardStore } from '../components.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { plainBytes } from './bytes.ts'
import { toHex } from './hex.ts'
import { CLAIMS_SUFFIX, readHead, readPieces, readRange } from './shard-files.ts'
import { loadLedger, type ShardEntry, type ShardLedger } from './shard-ledger.ts'
import type { Tombstones } from './tombstones.ts'

export class DiskShardStore implements NodeShardStore {
  readonly dir: string
  readonly tmpDir: string
  readonly maxBytes: number
  /** The node's disk budget (shards, metadata and logs; free disk): why `bytes` more are refused. */
  room: ((bytes: number) => string | undefined) | undefined
  /**
   * Called once a put is durable here, before it resolves (a paired node forwards the shard to
   * its partner); resolves with the durable copies that exist, which the put resolves with.
   */
  mirror: ((id: Uint8Array, body: ShardBody, claim: ShardClaim) => Promise<number>) | undefined
  /** Claims removed at their owner's word lately: put again, they are refused (ClaimDeletedError). */
  tombstones: Tombstones | undefined
  readonly #ledger: ShardLedger
  /** One change at a time per shard (puts, claims, deletes of one id run in turn). */
  readonly #busy = new Map<string, Promise<unknown>>()

  private constructor(dir: string, tmpDir: string, maxBytes: number, ledger: ShardLedger) {
    this.dir = dir
    this.tmpDir = tmpDir
    this.maxBytes = maxBytes
    this.#ledger = ledger
  }

  /** Opens the store and counts what is on disk (each shard's claims are read, no body is). */
  static async open(dir: string, tmpDir: string, maxBytes: number): Promise<DiskShardStore> {
    await mkdir(dir, { recursive: true })
    return new DiskShardStore(dir, tmpDir, maxBytes, await loadLedger(dir))
  }

  /** Bytes of shard files on disk. */
  get usedBytes(): number {
    return this.#ledger.used
  }

  get count(): number {
    return this.#ledger.entries.size
  }

  get changes(): number {
    return this.#ledger.changes
  }

  /** Bytes of the shard bodies held (usedBytes adds their headers). */
  async size(): Promise<number> {
    return this.#ledger.bodies
  }

  async usage(): Promise<StoredUsage> {
    return this.#ledger.usage
  }

  async has(id: Uint8Array): Promise<boolean> {
    return this.#ledger.entries.has(toHex(id))
  }

  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    const claim = this.#ledger.entries.get(toHex(id))?.claims[0]
    return claim === undefined ? undefined : headerOf(claim)
  }

  async claims(id: Uint8Array): Promise<ShardClaim[]> {
    return [...(this.#ledger.entries.get(toHex(id))?.claims ?? [])]
  }

  /**
   * Stores a shard, or adds a claim to one held (its bytes are not written again). The caller
   * has checked that `id` is the SHA-256 of `body`, the claim's length and CRC32C are the body's,
   * and the owner signed it; the pieces are written as they are.
   */
  async put(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<number | undefined> {
    await this.#put(id, body, claim)
    return await this.mirror?.(id, body, claim)
  }

  async #put(id: Uint8Array, body: ShardBody, claim: ShardClaim): Promise<void> {
    const name = toHex(id)
    await this.#serial(name, async () => {
      const buried = this.tombstones?.refusal(id, claim)
      if (buried !== undefined) throw new ClaimDeletedError(buried)
      const held = this.#ledger.entries.get(name)
      if (held !== undefined) return this.#claim(name, held, claim)
      const pieces = body instanceof Uint8Array ? [body] : body
      let length = 0
      for (const piece of pieces) length += piece.byteLength
      if (length !== claim.length) {
        throw new RangeError(`shard ${name} body is ${length} bytes, its header says ${claim.length}`)
      }
      const head = encodeShardClaim(claim)
      const size = head.length + length
      const refused =
        this.room?.(size) ??
        (this.#ledger.used + size > this.maxBytes
          ? `storage quota full: ${this.#ledger.used} of ${this.maxBytes} bytes used, shard needs ${size}`
          : undefined)
      if (refused !== undefined) throw new QuotaExceededError(refused)
      const dir = toHex(claim.fileId)
      const entry: ShardEntry = {
        dir,
        size,
        body: length,
        bodyOffset: head.length,
        claims: [claim],
        listed: false
      }
      // Counted before the write so concurrent puts cannot overshoot the quota together.
      this.#ledger.add(name, entry)
      try {
        await writeFileAtomic(join(this.dir, dir, name), [head, ...pieces], { tmpDir: this.tmpDir })
      } catch (err) {
        this.#ledger.remove(name, entry)
        throw err
      }
    })
  }

  async unclaim(id: Uint8Array, fileId: Uint8Array, owner: ShardHeader['owner']): Promise<boolean> {
    const name = toHex(id)
    return this.#serial(name, async () => {
      const entry = this.#ledger.entries.get(name)
      if (entry === undefined || !entry.claims.some((c) => claimOf(c, fileId, owner))) return false
      // the tombstone first: a crash after it and before the claim goes leaves both, never neither
      await this.tombstones?.bury(id, fileId, owner)
      const left = entry.claims.filter((c) => !claimOf(c, fileId, owner))
      if (left.length === 0) {
        await this.#unlink(name, entry)
        return true
      }
      await writeFileAtomic(this.#path(name, entry) + CLAIMS_SUFFIX, encodeShardClaims(left), {
        tmpDir: this.tmpDir
      })
      this.#ledger.setClaims(name, entry, left)
      return true
    })
  }

  async delete(id: Uint8Array): Promise<boolean> {
    const name = toHex(id)
    return this.#serial(name, async () => {
      const entry = this.#ledger.entries.get(name)
      if (entry === undefined) return false
      await this.#unlink(name, entry)
      return true
    })
  }

  /** The shard body (or a range of it, read alone), undefined when absent; ShardCorruptError if the file rotted. */
  async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const name = toHex(id)
    const entry = this.#ledger.entries.get(name)
    if (entry === undefined) return undefined
    if (range === undefined) {
      try {
        return openShard(plainBytes(await readFile(this.#path(name, entry)))).body
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
    }
    this.#checkRange(name, entry, range)
    return readRange(this.#path(name, entry), entry.bodyOffset + range.offset, range.length)
  }

  async *read(id: Uint8Array, range: ByteRange | undefined, chunkSize: number): AsyncIterable<Uint8Array> {
    const name = toHex(id)
    const entry = this.#ledger.entries.get(name)
    if (entry === undefined) return
    if (range !== undefined) this.#checkRange(name, entry, range)
    const { offset, length } = range ?? { offset: 0, length: entry.body }
    const path = this.#path(name, entry)
    if (offset !== 0 || length !== entry.body) {
      yield* readPieces(path, entry.bodyOffset + offset, length, chunkSize)
      return
    }
    // the whole body is checked against the CRC32C its file says (the file is the truth)
    const head = await readHead(path)
    if (head === undefined) return
    yield* readPieces(path, head.bodyOffset, length, chunkSize, { crc32c: head.claim.crc32c, shardId: name })
  }

  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    return this.#ledger.shardsOf(fileId)
  }

  /** Bytes the shard's file takes on disk (what the quota counts), undefined when it is not held. */
  bytesOf(idHex: string): number | undefined {
    return this.#ledger.entries.get(idHex)?.size
  }

  /** Hex ids of every stored shard. */
  ids(): string[] {
    return [...this.#ledger.entries.keys()]
  }

  /** A new owner's claim on a shard held (the same claim again changes nothing). */
  async #claim(name: string, entry: ShardEntry, claim: ShardClaim): Promise<void> {
    if (entry.claims.some((c) => sameClaim(c, claim))) return
    if (entry.claims.length >= limits.maxClaimsPerShard) {
      throw new QuotaExceededError(`shard ${name} has ${entry.claims.length} claims, the most it may have`)
    }
    const claims = [...entry.claims, claim]
    await writeFileAtomic(this.#path(name, entry) + CLAIMS_SUFFIX, encodeShardClaims(claims), {
      tmpDir: this.tmpDir
    })
    this.#ledger.setClaims(name, entry, claims)
  }

  async #unlink(name: string, entry: ShardEntry): Promise<void> {
    this.#ledger.remove(name, entry)
    const path = this.#path(name, entry)
    // the shard first: a claims file left without its shard is swept up on open
    await rm(path, { force: true })
    if (entry.listed) await rm(path + CLAIMS_SUFFIX, { force: true })
  }

  #checkRange(name: string, entry: ShardEntry, { offset, length }: ByteRange): void {
    if (!(offset >= 0 && length >= 0 && offset + length <= entry.body)) {
      throw new RangeError(`range ${offset}+${length} is outside shard ${name} of ${entry.body} bytes`)
    }
  }

  #path(name: string, entry: ShardEntry): string {
    return join(this.dir, entry.dir, name)
  }

  #serial<T>(name: string, change: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(name) ?? Promise.resolve()
    const run = before.then(change, change)
    const settled = run.catch(() => {})
    this.#busy.set(name, settled)
    void settled.then(() => {
      if (this.#busy.get(name) === settled) this.#busy.delete(name)
    })
    return run
  }
}
