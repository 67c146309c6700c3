// Shards kept for others (and for ourselves) on disk: one file per shard under a directory per
// file (shards/<fileId hex>/<shard id hex>), holding the CBOR shard header then the bytes. A
// write is temp (in tmp/, same filesystem) + fsync + rename, so a crash leaves either the whole
// shard or nothing. Stored bytes are counted against a quota: a put past it is refused.
// This is the disk implementation of @defs/net's ShardStore.
import { type FileHandle, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ByteRange, ShardBody } from '@defs/net'
import { encodeShardHeader, limits, openShard, peekShardHeader, type ShardHeader } from '@defs/segment'
import type { NodeShardStore } from '../components.ts'
import { QuotaFullError } from '../errors.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { plainBytes } from './bytes.ts'
import { fromHex, toHex } from './hex.ts'

interface Entry {
  fileIdHex: string
  /** Bytes of the shard file (header + body), what the quota counts. */
  size: number
}

export class DiskShardStore implements NodeShardStore {
  readonly dir: string
  readonly tmpDir: string
  readonly maxBytes: number
  #used = 0
  readonly #entries = new Map<string, Entry>()

  private constructor(dir: string, tmpDir: string, maxBytes: number) {
    this.dir = dir
    this.tmpDir = tmpDir
    this.maxBytes = maxBytes
  }

  /** Opens the store and counts what is on disk (names and sizes only, no shard is read). */
  static async open(dir: string, tmpDir: string, maxBytes: number): Promise<DiskShardStore> {
    const store = new DiskShardStore(dir, tmpDir, maxBytes)
    await mkdir(dir, { recursive: true })
    for (const fileIdHex of await readdir(dir)) {
      if (!/^[0-9a-f]{32}$/.test(fileIdHex)) continue
      for (const name of await readdir(join(dir, fileIdHex))) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue
        const { size } = await stat(join(dir, fileIdHex, name))
        store.#entries.set(name, { fileIdHex, size })
        store.#used += size
      }
    }
    return store
  }

  /** Bytes of shard files on disk. */
  get usedBytes(): number {
    return this.#used
  }

  get count(): number {
    return this.#entries.size
  }

  async size(): Promise<number> {
    return this.#used
  }

  async has(id: Uint8Array): Promise<boolean> {
    return this.#entries.has(toHex(id))
  }

  /** The header alone: reads the first bytes of the file, not the whole shard (get checks the body). */
  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    const path = this.#pathOf(toHex(id))
    if (path === undefined) return undefined
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    try {
      const head = new Uint8Array(limits.maxBytes.shardHeader)
      const { bytesRead } = await handle.read(head, 0, head.length, 0)
      return peekShardHeader(head.subarray(0, bytesRead))
    } finally {
      await handle.close()
    }
  }

  /**
   * Stores a shard (idempotent). The caller has checked that `id` is the SHA-256 of `body` and
   * that the header's length and CRC32C are the body's; the pieces are written as they are.
   */
  async put(id: Uint8Array, body: ShardBody, header: ShardHeader): Promise<void> {
    const name = toHex(id)
    if (this.#entries.has(name)) return
    const pieces = body instanceof Uint8Array ? [body] : body
    let length = 0
    for (const piece of pieces) length += piece.byteLength
    if (length !== header.length) {
      throw new RangeError(`shard ${name} body is ${length} bytes, its header says ${header.length}`)
    }
    const encodedHeader = encodeShardHeader(header)
    const size = encodedHeader.length + length
    if (this.#used + size > this.maxBytes) {
      throw new QuotaFullError(
        `storage quota full: ${this.#used} of ${this.maxBytes} bytes used, shard needs ${size}`
      )
    }
    // Reserve before the await so concurrent puts cannot overshoot the quota together.
    const entry = { fileIdHex: toHex(header.fileId), size }
    this.#used += entry.size
    this.#entries.set(name, entry)
    try {
      await writeFileAtomic(join(this.dir, entry.fileIdHex, name), [encodedHeader, ...pieces], {
        tmpDir: this.tmpDir
      })
    } catch (err) {
      this.#used -= entry.size
      this.#entries.delete(name)
      throw err
    }
  }

  /** The shard body (or a range of it), undefined when absent; ShardCorruptError if the file rotted. */
  async get(id: Uint8Array, range?: ByteRange): Promise<Uint8Array | undefined> {
    const shard = await this.read(id)
    if (shard === undefined) return undefined
    if (range === undefined) return shard.body
    if (range.offset < 0 || range.length < 0 || range.offset + range.length > shard.body.length) {
      throw new RangeError(
        `range ${range.offset}+${range.length} is outside shard ${toHex(id)} of ${shard.body.length} bytes`
      )
    }
    return shard.body.subarray(range.offset, range.offset + range.length)
  }

  /** Header and body, checked against the header's length and CRC32C. */
  async read(id: Uint8Array): Promise<{ header: ShardHeader; body: Uint8Array } | undefined> {
    const path = this.#pathOf(toHex(id))
    if (path === undefined) return undefined
    try {
      return openShard(plainBytes(await readFile(path)))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async delete(id: Uint8Array): Promise<boolean> {
    const name = toHex(id)
    const entry = this.#entries.get(name)
    if (entry === undefined) return false
    this.#entries.delete(name)
    this.#used -= entry.size
    await rm(join(this.dir, entry.fileIdHex, name), { force: true })
    return true
  }

  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    const fileIdHex = toHex(fileId)
    const ids: Uint8Array[] = []
    for (const [name, entry] of this.#entries) if (entry.fileIdHex === fileIdHex) ids.push(fromHex(name))
    return ids
  }

  /** Hex ids of every stored shard. */
  ids(): string[] {
    return [...this.#entries.keys()]
  }

  #pathOf(name: string): string | undefined {
    const entry = this.#entries.get(name)
    return entry === undefined ? undefined : join(this.dir, entry.fileIdHex, name)
  }
}
