// What the node may still write: `maxStorage` covers shards, metadata and logs together, and the
// disk keeps `minFreeDisk` free (a store is refused before the disk fills, not when it has). The
// shard store asks before each shard, the shard server before it takes a peer's; metadata and log
// sizes are read every few seconds (a directory listing, no file is read), free space by statfs.
import { readdir, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'

export interface DiskUsage {
  shardBytes: number
  metaBytes: number
  logBytes: number
  /** Bytes free for this process on the node directory's filesystem. */
  freeBytes: number
  maxStorage: number
  minFreeDisk: number
}

export interface DiskBudgetOptions {
  root: string
  metaDir: string
  logDir: string
  maxStorage: number
  minFreeDisk: number
  shardBytes: () => number
  /** How often metadata, log and free sizes are read again, ms. */
  refreshMs?: number
}

export class DiskBudget {
  readonly #o: DiskBudgetOptions
  #metaBytes = 0
  #logBytes = 0
  #freeBytes = Number.POSITIVE_INFINITY
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(options: DiskBudgetOptions) {
    this.#o = options
  }

  async start(): Promise<void> {
    await this.refresh()
    this.#timer = setInterval(() => void this.refresh().catch(() => {}), this.#o.refreshMs ?? 5000)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  async refresh(): Promise<void> {
    const [meta, logs, fs] = await Promise.all([
      sizeOf(this.#o.metaDir),
      sizeOf(this.#o.logDir),
      statfs(this.#o.root)
    ])
    this.#metaBytes = meta
    this.#logBytes = logs
    this.#freeBytes = Number(fs.bavail) * Number(fs.bsize)
  }

  /** Bytes that may still be written now (what `refusal` would let through), at least 0. */
  room(): number {
    const { maxStorage, minFreeDisk } = this.#o
    const used = this.#o.shardBytes() + this.#metaBytes + this.#logBytes
    const room = Math.min(maxStorage - used, this.#freeBytes - minFreeDisk)
    return Number.isFinite(room) ? Math.max(0, Math.floor(room)) : Number.MAX_SAFE_INTEGER
  }

  /** Why `bytes` more cannot be written now, or undefined when they can. */
  refusal(bytes: number): string | undefined {
    const { maxStorage, minFreeDisk } = this.#o
    const used = this.#o.shardBytes() + this.#metaBytes + this.#logBytes
    if (used + bytes > maxStorage) {
      return `storage quota full: ${used} of ${maxStorage} bytes used (shards, metadata and logs), ${bytes} more asked`
    }
    if (this.#freeBytes - bytes < minFreeDisk) {
      return `disk nearly full: ${this.#freeBytes} bytes free, minFreeDisk keeps ${minFreeDisk}, ${bytes} more asked`
    }
    return undefined
  }

  usage(): DiskUsage {
    return {
      shardBytes: this.#o.shardBytes(),
      metaBytes: this.#metaBytes,
      logBytes: this.#logBytes,
      freeBytes: this.#freeBytes,
      maxStorage: this.#o.maxStorage,
      minFreeDisk: this.#o.minFreeDisk
    }
  }
}

/** Bytes of the files in `dir` and one level below (LevelDB and the logs keep theirs flat). */
async function sizeOf(dir: string, depth = 1): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
  let total = 0
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined)
    if (info?.isFile()) total += info.size
    else if (info?.isDirectory() && depth > 0) total += await sizeOf(join(dir, name), depth - 1)
  }
  return total
}
