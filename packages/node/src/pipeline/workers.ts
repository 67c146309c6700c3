// The slice pool: `workers` threads that seal and open slices, so AES-GCM, SHA-256 and
// Reed-Solomon run on every core while the main thread reads, sends and writes. Each job moves its
// buffers to a thread and back (transferred, not cloned; only a window into someone else's larger
// buffer is copied first); the buffers a job is done with come back into the pool's BufferPool. Ordering and memory bounds are the streams' job
// (seal-stream.ts, open-stream.ts); the pool answers each call on its own promise.
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Shard } from '@defs/erasure'
import { PoolClosedError } from '../errors.ts'
import { BufferPool } from './buffer-pool.ts'
import type { OpenedSlice, OpenParams, SealedSlice, SealParams } from './slice-codec.ts'
import type { RebuildParams, RebuiltSlice } from './slice-rebuild.ts'
import { fromWire, handOver, post, type SliceJob, type SliceReply } from './worker-protocol.ts'

export interface SlicePoolOptions {
  /** Worker threads (default 2: the cores of the reference machine). */
  workers?: number
  /** Bytes of idle slice and shard buffers kept for reuse (default 64 MiB). */
  spareBytes?: number
}

interface Pending {
  resolve: (reply: SliceReply & { ok: true }) => void
  reject: (e: Error) => void
}

interface Thread {
  worker: Worker
  pending: Map<number, Pending>
}

/** The worker file beside this one, .ts when running from src (type stripping), .js from dist. */
const workerUrl = new URL(`./slice-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)

/** The parent's flags a worker needs to load the same sources: the @defs/source condition, type stripping. */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const out: string[] = []
  for (let i = 0; i < parent.length; i++) {
    const a = parent[i]!
    if (a === '--conditions=@defs/source' || a === '-C=@defs/source') out.push('--conditions=@defs/source')
    else if ((a === '--conditions' || a === '-C') && parent[i + 1] === '@defs/source') {
      out.push('--conditions=@defs/source')
      i++
    } else if (a === '--experimental-strip-types' || a === '--experimental-transform-types') out.push(a)
  }
  return out
}

/** What the node's flows need of the pool: tests and services may hand in their own. */
export interface SliceWorkers {
  readonly size: number
  readonly buffers: BufferPool
  seal(plain: Uint8Array, params: SealParams, out?: ArrayBuffer): Promise<SealedSlice>
  open(shards: Shard[], params: OpenParams, out?: ArrayBuffer): Promise<OpenedSlice>
  rebuild(shards: Shard[], params: RebuildParams): Promise<RebuiltSlice>
  close(): Promise<void>
}

export class SlicePool implements SliceWorkers {
  readonly size: number
  private readonly threads: Thread[] = []
  /** Idle buffers: inputs the workers moved back and slices their consumers released. */
  readonly buffers: BufferPool
  private nextId = 1
  private closed = false

  constructor(options: SlicePoolOptions = {}) {
    const n = options.workers ?? 2
    if (!Number.isInteger(n) || n < 1 || n > 256)
      throw new RangeError(`workers must be an integer 1..256, got ${n}`)
    this.size = n
    this.buffers = new BufferPool(options.spareBytes ?? 64 * 1024 * 1024)
    for (let i = 0; i < n; i++) this.threads.push(this.spawn())
  }

  /**
   * Seals `plain` on a worker. When `plain` fills its ArrayBuffer, that buffer (and `out`) moves to
   * the worker and is detached here, and comes back into `buffers` when the worker is done with it;
   * a view into part of a larger buffer is copied instead (see handOver).
   */
  async seal(plain: Uint8Array, params: SealParams, out?: ArrayBuffer): Promise<SealedSlice> {
    const { views, transfer } = handOver([plain])
    const reply = await this.run({ id: 0, op: 'seal', plain: views[0]!, params, out }, transfer)
    return reply.sealed!
  }

  /** Opens a slice on a worker. The shards' memory moves to the worker as in seal. */
  async open(shards: Shard[], params: OpenParams, out?: ArrayBuffer): Promise<OpenedSlice> {
    const { views, transfer } = handOver(shards)
    const reply = await this.run({ id: 0, op: 'open', shards: views, params, out }, transfer)
    return reply.opened!
  }

  /**
   * Rebuilds missing shards of a slice from any k of them, without the file key (keyless repair),
   * and names them by their SHA-256. The shards' memory moves to the worker as in seal.
   */
  async rebuild(shards: Shard[], params: RebuildParams): Promise<RebuiltSlice> {
    const { views, transfer } = handOver(shards)
    const reply = await this.run({ id: 0, op: 'rebuild', shards: views, params }, transfer)
    return reply.rebuilt!
  }

  /** Jobs sent and not yet answered, over all threads. */
  get pending(): number {
    return this.threads.reduce((n, t) => n + t.pending.size, 0)
  }

  /** Terminates the workers; jobs still pending reject with PoolClosedError. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const threads = this.threads.splice(0)
    for (const t of threads) this.fail(t, new PoolClosedError('the slice pool was closed with work pending'))
    await Promise.all(threads.map((t) => t.worker.terminate()))
    this.buffers.clear()
  }

  private run(job: SliceJob, transfer: ArrayBuffer[]): Promise<SliceReply & { ok: true }> {
    if (this.closed) return Promise.reject(new PoolClosedError('the slice pool is closed'))
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
    job.id = this.nextId++
    if (job.out !== undefined && !transfer.includes(job.out)) transfer.push(job.out)
    return new Promise((resolve, reject) => {
      thread.pending.set(job.id, { resolve, reject })
      if (thread.pending.size === 1) thread.worker.ref()
      try {
        post(thread.worker, job, transfer)
      } catch (e) {
        thread.pending.delete(job.id)
        reject(e as Error)
      }
    })
  }

  private spawn(): Thread {
    const worker = new Worker(workerUrl, { execArgv: workerExecArgv(), name: 'defs-slice-worker' })
    const thread: Thread = { worker, pending: new Map() }
    // An idle pool does not keep the process alive; a busy one does (ref'd while jobs are pending).
    worker.unref()
    worker.on('message', (reply: SliceReply) => {
      for (const b of reply.spare) this.buffers.give(b)
      const p = thread.pending.get(reply.id)
      if (p === undefined) return
      thread.pending.delete(reply.id)
      if (thread.pending.size === 0) worker.unref()
      if (reply.ok) p.resolve(reply)
      else p.reject(fromWire(reply.error))
    })
    worker.on('error', (e) => this.replace(thread, e))
    worker.on('exit', (code) => this.replace(thread, new Error(`slice worker exited with code ${code}`)))
    return thread
  }

  /** A worker died: its jobs fail, and a fresh thread takes its place for the jobs to come. */
  private replace(thread: Thread, cause: Error): void {
    const at = this.threads.indexOf(thread)
    if (at < 0) return
    this.fail(thread, new PoolClosedError(`a slice worker died: ${cause.message}`, { cause }))
    this.threads[at] = this.spawn()
  }

  private fail(thread: Thread, error: Error): void {
    for (const p of thread.pending.values()) p.reject(error)
    thread.pending.clear()
  }
}
