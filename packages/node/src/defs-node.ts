// A running node: the DefsNode interface over the node's context, task queue and flows.
import { mkdir, stat } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { generateFileKey, randomBytes, wrapKeyForRecipient } from '@defs/crypto'
import { decodeEnvelope, type Manifest, verify } from '@defs/segment'
import { multiaddr } from '@multiformats/multiaddr'
import { deleteShards } from './delete.ts'
import { toHex } from './disk/hex.ts'
import { newReadStats, readSlices } from './download.ts'
import type { DownloadParams } from './download-task.ts'
import { formatCapability, parseFileRef } from './file-ref.ts'
import { openFileMeta } from './manifest-meta.ts'
import { fetchManifest, peerHas } from './network-index.ts'
import type { NodeContext } from './node-context.ts'
import type {
  DefsNode,
  FileHealth,
  FileInfo,
  FileRef,
  FileSource,
  GetOptions,
  GetResult,
  NodeStatus,
  PeerInfo,
  PutOptions,
  PutResult,
  ReadOptions
} from './node-types.ts'
import { planLayout } from './pipeline/index.ts'
import { FileNotFoundError, resolveFile, resolveReadableFile } from './resolve-file.ts'
import type { TaskQueue } from './tasks/task-queue.ts'
import { type TaskRecord, TaskStateError } from './tasks/task-types.ts'
import type { UploadParams, UploadResult, UploadRunner } from './upload.ts'

export interface NodeLifecycle {
  setMaintenance(on: boolean): void
  close(): Promise<void>
}

export class TaskPausedError extends Error {
  override name = 'TaskPausedError'
}

export class TaskCancelledError extends Error {
  override name = 'TaskCancelledError'
}

export class DefsNodeImpl implements DefsNode {
  readonly #ctx: NodeContext
  readonly #tasks: TaskQueue
  readonly #uploads: UploadRunner
  readonly #life: NodeLifecycle
  #stopped: Promise<void> | undefined

  constructor(ctx: NodeContext, tasks: TaskQueue, uploads: UploadRunner, life: NodeLifecycle) {
    this.#ctx = ctx
    this.#tasks = tasks
    this.#uploads = uploads
    this.#life = life
  }

  get peerId(): string {
    return this.#ctx.peerId
  }

  get dataDir(): string {
    return this.#ctx.dir.root
  }

  addresses(): string[] {
    return this.#ctx.host.getMultiaddrs().map(String)
  }

  async put(source: FileSource, options: PutOptions = {}): Promise<PutResult> {
    const ctx = this.#ctx
    const o = ctx.options
    let size = options.size
    let name = options.name ?? ''
    if (typeof source === 'string') {
      const info = await stat(source)
      if (!info.isFile()) throw new RangeError(`${source} is not a file`)
      size = info.size
      name = options.name ?? basename(source)
    }
    const layout = planLayout({
      size,
      mode: options.mode ?? o.storageMode,
      dataShards: options.dataShards ?? o.dataShards,
      parityShards: options.parityShards ?? o.parityShards,
      minSliceSize: o.minSliceSize,
      maxSliceSize: o.maxSliceSize,
      shardSize: o.shardSize,
      peers: ctx.host.getPeers().length + 1,
      bufferSize: o.bufferSize,
      workers: ctx.pool.size
    })
    const fileId = randomBytes(16)
    const fileIdHex = toHex(fileId)
    const fileKey = generateFileKey()
    await ctx.meta.putFileKey(fileIdHex, await wrapKeyForRecipient(fileKey, ctx.userKey.publicKey))
    const params: UploadParams = {
      fileIdHex,
      path: typeof source === 'string' ? source : null,
      name,
      size,
      layout,
      version: 1
    }
    if (typeof source !== 'string') this.#uploads.attachStream(fileIdHex, source)
    const task = await this.#tasks.submit('upload', params, { priority: options.priority })
    const result = (await this.#follow(task.id, options.onProgress)).result as UploadResult
    return {
      fileId: fileIdHex,
      capability: formatCapability(fileId, fileKey),
      taskId: task.id,
      size: result.size,
      mode: layout.mode,
      dataShards: layout.dataShards,
      parityShards: layout.parityShards,
      sliceSize: layout.sliceSize,
      placement: result.holders.map((shards, slice) => ({
        slice,
        shards: shards.flatMap((peers, index) => peers.map((peerId) => ({ index, peerId })))
      })),
      ...(layout.reason !== undefined ? { note: layout.reason } : {})
    }
  }

  /** Waits for a task to settle, forwarding its progress; throws what it failed with. */
  async #follow(taskId: string, onProgress: PutOptions['onProgress']): Promise<TaskRecord> {
    const listener = (e: Event): void => {
      const r = (e as CustomEvent<TaskRecord>).detail
      if (r.id === taskId) onProgress?.(r.progress)
    }
    if (onProgress !== undefined) this.#tasks.addEventListener('task', listener)
    try {
      const done = await this.#tasks.settled(taskId)
      if (done.state === 'done') return done
      if (done.state === 'failed') throw this.#tasks.errorOf(taskId) ?? new Error(done.error)
      if (done.state === 'cancelled') throw new TaskCancelledError(`task ${taskId} was cancelled`)
      throw new TaskPausedError(`task ${taskId} is paused; resume it with: defs tasks resume ${taskId}`)
    } finally {
      this.#tasks.removeEventListener('task', listener)
    }
  }

  async get(ref: FileRef, destination: string, options: GetOptions = {}): Promise<GetResult> {
    parseFileRef(ref)
    await mkdir(dirname(resolve(destination)), { recursive: true })
    const params: DownloadParams = {
      ref,
      destination: resolve(destination),
      ...(options.range !== undefined ? { range: options.range } : {})
    }
    const task = await this.#tasks.submit('download', params)
    return (await this.#follow(task.id, options.onProgress)).result as GetResult
  }

  async *read(ref: FileRef, options: ReadOptions = {}): AsyncIterable<Uint8Array> {
    const file = await resolveReadableFile(this.#ctx, ref)
    const stats = newReadStats()
    let bytes = 0
    for await (const chunk of readSlices(this.#ctx, file, options.range, stats, { reuse: false })) {
      bytes += chunk.length
      yield chunk
    }
    options.onResult?.({
      fileId: toHex(file.manifest.fileId),
      bytes,
      slicesRead: stats.slicesRead,
      shardsFetched: stats.shardsFetched,
      slicesReconstructed: stats.slicesReconstructed,
      badPeers: [...stats.badPeers]
    })
  }

  async stat(ref: FileRef): Promise<FileInfo> {
    const { fileIdHex, fileId, fileKey } = parseFileRef(ref)
    if (await this.#ctx.meta.isTombstoned(fileIdHex))
      throw new FileNotFoundError(`file ${fileIdHex} was deleted`)
    // Not known here: fetchManifest asks the network and keeps what it finds (verified).
    if (
      (await this.#ctx.meta.getManifest(fileIdHex)) === undefined &&
      (await fetchManifest(this.#ctx, fileId)) === undefined
    ) {
      throw new FileNotFoundError(`file ${fileIdHex} is not known to this node, and no peer answered for it`)
    }
    return this.#info(fileIdHex, (await this.#ctx.meta.getManifest(fileIdHex))!, fileKey)
  }

  async list(): Promise<FileInfo[]> {
    const out: FileInfo[] = []
    for await (const { fileIdHex, envelope } of this.#ctx.meta.manifests())
      out.push(await this.#info(fileIdHex, envelope))
    return out.sort((a, b) => a.created - b.created)
  }

  async #info(fileIdHex: string, envelope: Uint8Array, fileKey?: Uint8Array): Promise<FileInfo> {
    const m: Manifest = await verify(decodeEnvelope(envelope), 'manifest')
    let name = ''
    let readable = fileKey !== undefined
    try {
      const file = fileKey === undefined ? await resolveReadableFile(this.#ctx, fileIdHex) : { fileKey }
      name = (await openFileMeta(file.fileKey, m.fileId, m.seq, m.meta)).name
      readable = true
    } catch {
      // A manifest we hold for someone else: no key, so no name.
    }
    return {
      fileId: fileIdHex,
      name,
      size: m.size,
      mode: m.mode,
      dataShards: m.dataShards,
      parityShards: m.parityShards,
      slices: m.slices.length,
      seq: m.seq,
      created: m.created,
      readable
    }
  }

  async check(ref: FileRef): Promise<FileHealth> {
    const ctx = this.#ctx
    const file = await resolveFile(ctx, ref)
    // One has() per holder for all the shards it should hold.
    const asked = new Map<string, Uint8Array[]>()
    file.holders.forEach((slice, i) => {
      slice.forEach((peers, j) => {
        for (const p of peers) {
          const ids = asked.get(p) ?? []
          ids.push(file.manifest.slices[i]!.shards[j]!)
          asked.set(p, ids)
        }
      })
    })
    const present = new Set<string>()
    await Promise.all(
      [...asked].map(async ([peer, ids]) => {
        try {
          const have = await peerHas(ctx, peer, ids, AbortSignal.timeout(5000))
          ids.forEach((id, n) => {
            if (have[n]) present.add(`${peer}/${toHex(id)}`)
          })
        } catch {
          // Unreachable: none of its shards count as live.
        }
      })
    )
    const slices = file.manifest.slices.map((s, i) => {
      const holders: string[] = []
      let live = 0
      s.shards.forEach((id, j) => {
        const alive = (file.holders[i]![j] ?? []).filter((p) => present.has(`${p}/${toHex(id)}`))
        if (alive.length > 0) live++
        holders.push(...alive)
      })
      const replicated = file.manifest.mode === 'file' || file.manifest.mode === 'slice'
      return {
        slice: i,
        live: replicated ? holders.length : live,
        dataShards: replicated ? 1 : s.shards.length - file.manifest.parityShards,
        totalShards: replicated ? file.manifest.parityShards + 1 : s.shards.length,
        holders: [...new Set(holders)]
      }
    })
    const minLive = Math.min(...slices.map((s) => s.live))
    return {
      fileId: file.fileIdHex,
      slices,
      minLive,
      readable: slices.every((s) => s.live >= s.dataShards)
    }
  }

  async rm(ref: FileRef): Promise<{ fileId: string; shardsDeleted: number }> {
    const ctx = this.#ctx
    const file = await resolveFile(ctx, ref)
    if (toHex(file.manifest.owner.bytes) !== toHex(ctx.userKey.publicKey.bytes)) {
      throw new TaskStateError(`file ${file.fileIdHex} belongs to another user; only its owner can delete it`)
    }
    const shards = file.manifest.slices.flatMap((s, i) =>
      s.shards.map((id, j) => ({ id: toHex(id), holders: file.holders[i]![j] ?? [] }))
    )
    const outcome = await deleteShards(ctx, file.manifest.fileId, shards)
    await ctx.meta.tombstone(file.fileIdHex)
    return { fileId: file.fileIdHex, shardsDeleted: outcome.deleted }
  }

  tasks(): TaskRecord[] {
    return this.#tasks.list()
  }

  task(id: string): TaskRecord {
    return this.#tasks.get(id)
  }

  pauseTask(id: string): Promise<TaskRecord> {
    return this.#tasks.pause(id)
  }

  resumeTask(id: string): Promise<TaskRecord> {
    return this.#tasks.resume(id)
  }

  cancelTask(id: string): Promise<TaskRecord> {
    return this.#tasks.cancel(id)
  }

  async status(): Promise<NodeStatus> {
    const counts: NodeStatus['tasks'] = { queued: 0, running: 0, paused: 0, done: 0, failed: 0, cancelled: 0 }
    for (const t of this.#tasks.list()) counts[t.state]++
    return {
      peerId: this.peerId,
      addresses: this.addresses(),
      peers: this.#ctx.host.getPeers().length,
      storedBytes: this.#ctx.shards.usedBytes,
      storedShards: this.#ctx.shards.count,
      maxStorage: this.#ctx.options.maxStorage,
      tasks: counts
    }
  }

  async peers(): Promise<PeerInfo[]> {
    const host = this.#ctx.host
    return host.getPeers().map((p) => {
      const id = p.toString()
      return {
        peerId: id,
        addresses: host.getConnections(p).map((c) => c.remoteAddr.toString()),
        score: this.#ctx.scorer.has(id) ? this.#ctx.scorer.score(id) : 0
      }
    })
  }

  async connect(address: string): Promise<void> {
    await this.#ctx.host.dial(multiaddr(address), {
      signal: AbortSignal.timeout(this.#ctx.options.dialTimeout)
    })
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.#tasks.stop()
      await this.#life.close()
    })()
    return this.#stopped
  }
}
