// The upload task: read -> seal on the worker pool -> place every shard -> sign the manifest.
// A slice counts as done only when every one of its shards is acknowledged durable by its
// holder; then it is checkpointed, so after a pause or a crash the upload resumes at the next
// slice. The manifest is signed and stored only when every slice is done (DESIGN §4): until
// then no one can read a half-uploaded file.
import { createReadStream } from 'node:fs'
import { encodeEnvelope, type Manifest, sign, signShardHeader } from '@defs/segment'
import { deleteShards, type HeldShard } from './delete.ts'
import { fromHex, toHex } from './disk/hex.ts'
import { sealFileMeta } from './manifest-meta.ts'
import { announceFile } from './network-index.ts'
import type { NodeContext } from './node-context.ts'
import {
  type Layout,
  NotEnoughPeersError,
  type SealedSliceHandle,
  type SliceSource,
  sealSlices
} from './pipeline/index.ts'
import { choosePeers, PlacementError } from './placement.ts'
import { keystoreFileKey } from './resolve-file.ts'
import { storeShard } from './shard-transfer.ts'
import type { TaskContext, TaskRunner } from './tasks/task-types.ts'

export interface UploadParams {
  fileIdHex: string
  /** The file to read; null when the source was a stream (then a restart cannot resume it). */
  path: string | null
  name: string
  size?: number
  layout: Layout
  version: number
}

export interface UploadedSlice {
  plainLength: number
  cipherLength: number
  nonce: string
  /** Shard ids (hex), data then parity. */
  shards: string[]
  /** Peers holding each shard (several in the replicated modes). */
  holders: string[][]
}

export interface UploadCheckpoint {
  slices: UploadedSlice[]
  bytesDone: number
  /**
   * Shards stored for slices that were not committed (placed while the task stopped, or part of a
   * slice that failed): deleted on cancel and after the manifest is signed, never left behind.
   */
  stray?: HeldShard[]
}

export interface UploadResult {
  fileIdHex: string
  size: number
  slices: number
  holders: string[][][]
}

export class UploadNotResumableError extends Error {
  override name = 'UploadNotResumableError'
}

function addHeld(list: HeldShard[], id: string, peer: string): void {
  const held = list.find((h) => h.id === id)
  if (held === undefined) list.push({ id, holders: [peer] })
  else held.holders.push(peer)
}

/** Slices being placed at once. */
const PLACE_WINDOW = 2

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** A promise that never rejects, so one in a queue cannot go unhandled while an earlier one is awaited. */
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error })
  )
}

/** Tries per shard before the slice (and the task) fails; each retry goes to another peer. */
const SEND_ATTEMPTS = 3

export class UploadRunner implements TaskRunner<UploadParams, UploadCheckpoint, UploadResult> {
  readonly #node: NodeContext
  /** Sources that are not files, by task id: they live only as long as this process. */
  readonly #streams = new Map<string, SliceSource>()

  constructor(node: NodeContext) {
    this.#node = node
  }

  /** A non-file source for the upload of `fileIdHex`; call it before submitting the task. */
  attachStream(fileIdHex: string, source: SliceSource): void {
    this.#streams.set(fileIdHex, source)
  }

  async run(task: TaskContext<UploadParams, UploadCheckpoint>): Promise<UploadResult> {
    const node = this.#node
    const p = task.params
    const cp: UploadCheckpoint = task.checkpoint ?? { slices: [], bytesDone: 0 }
    const fileId = fromHex(p.fileIdHex)
    const fileKey = await this.#fileKey(p.fileIdHex)
    const source = this.#source(task.id, p, cp)
    try {
      const sealed = sealSlices(source, {
        pool: node.pool,
        layout: p.layout,
        fileKey,
        fileId,
        version: p.version,
        bufferSize: node.options.bufferSize,
        signal: task.signal,
        firstSlice: cp.slices.length
      })
      // Slices are placed PLACE_WINDOW at a time (the network of one overlaps the sealing and the
      // sending of the next), but committed to the checkpoint strictly in order.
      const inFlight: { placed: Promise<Settled<UploadedSlice>>; stored: HeldShard[] }[] = []
      const commit = async (): Promise<void> => {
        const next = inFlight[0]!
        const done = await next.placed
        if (!done.ok) throw done.error
        inFlight.shift()
        cp.slices.push(done.value)
        cp.bytesDone += done.value.plainLength
        task.progress({
          bytesDone: cp.bytesDone,
          slicesDone: cp.slices.length,
          shardsDone: cp.slices.reduce((n, s) => n + s.holders.flat().length, 0)
        })
        await task.save(cp)
      }
      try {
        for await (const slice of sealed) {
          const stored: HeldShard[] = []
          const placed = settle(
            this.#place(slice, fileId, replicasOf(p.layout), task.signal, (id, peer) =>
              addHeld(stored, id, peer)
            )
          ).finally(() => slice.release())
          inFlight.push({ placed, stored })
          if (inFlight.length >= PLACE_WINDOW) await commit()
        }
        while (inFlight.length > 0) await commit()
      } finally {
        // On a failure, pause or cancel: let the sends under way finish, and remember what they
        // stored outside committed slices, so a cancel (or the final manifest) cleans it up.
        if (inFlight.length > 0) {
          await Promise.all(inFlight.map((f) => f.placed))
          cp.stray = [...(cp.stray ?? []), ...inFlight.flatMap((f) => f.stored)]
          await task.save(cp).catch(() => {})
        }
      }
    } finally {
      this.#streams.delete(p.fileIdHex)
    }
    await this.#publish(p, cp, fileId, fileKey)
    return {
      fileIdHex: p.fileIdHex,
      size: cp.bytesDone,
      slices: cp.slices.length,
      holders: cp.slices.map((s) => s.holders)
    }
  }

  async #fileKey(fileIdHex: string): Promise<Uint8Array> {
    const key = await keystoreFileKey(this.#node, fileIdHex)
    if (key === undefined) throw new Error(`no key for file ${fileIdHex} in the keystore`)
    return key
  }

  #source(taskId: string, p: UploadParams, cp: UploadCheckpoint): SliceSource {
    if (p.path !== null) {
      // A resumed upload reads on from the first byte of the next slice.
      return cp.bytesDone === 0
        ? p.path
        : createReadStream(p.path, { start: cp.bytesDone, highWaterMark: 1 << 20 })
    }
    const stream = this.#streams.get(p.fileIdHex)
    if (stream === undefined || cp.slices.length > 0) {
      throw new UploadNotResumableError(
        `upload ${taskId} read from a stream that is gone (the node restarted); put the file again`
      )
    }
    return stream
  }

  /** Sends every shard of a slice (each copy to its own peer) and waits for every acknowledgement. */
  async #place(
    slice: SealedSliceHandle,
    fileId: Uint8Array,
    replicas: number,
    signal: AbortSignal,
    onStored: (id: string, peer: string) => void
  ): Promise<UploadedSlice> {
    const node = this.#node
    const units: number[] = []
    for (let i = 0; i < slice.shards.length; i++) for (let r = 0; r < replicas; r++) units.push(i)
    const candidates = (): string[] => [node.peerId, ...node.host.getPeers().map(String)]
    let peers = choosePeers({ scorer: node.scorer, candidates }, units.length)
    // Right after a start (a resumed upload), the network may still be connecting: wait a little.
    for (
      const until = Date.now() + node.options.dialTimeout;
      peers.length < units.length && Date.now() < until;
    ) {
      await new Promise((r) => setTimeout(r, 100))
      if (signal.aborted) throw signal.reason
      peers = choosePeers({ scorer: node.scorer, candidates }, units.length)
    }
    if (peers.length < units.length) {
      throw new NotEnoughPeersError(
        `slice ${slice.sliceIndex} has ${units.length} shards to place on distinct peers, the network has ${peers.length}`,
        units.length,
        peers.length
      )
    }
    const used = new Set(peers)
    const holders: string[][] = slice.shards.map(() => [])
    // One owner signature per shard, whatever peers (and retries) it goes to: holders trust the
    // owner a header names only through it.
    const headers = await Promise.all(
      slice.shards.map((bytes, index) =>
        signShardHeader(node.userKey, slice.ids[index]!, {
          fileId,
          slice: slice.sliceIndex,
          index,
          dataShards: slice.dataShards,
          parityShards: slice.parityShards,
          length: bytes.length,
          crc32c: slice.crcs[index]!
        })
      )
    )
    await Promise.all(
      units.map(async (index, j) => {
        const bytes = slice.shards[index]!
        const header = headers[index]!
        let peer = peers[j]!
        for (let attempt = 1; ; attempt++) {
          try {
            // Not aborted by a pause or cancel: the shard in flight finishes (DESIGN §4), so what a
            // peer stored is always known here and can be cleaned up.
            await storeShard(node, peer, header, bytes, slice.ids[index]!)
            node.scorer.observe(peer, { heartbeat: 'ok' })
            holders[index]!.push(peer)
            onStored(toHex(slice.ids[index]!), peer)
            return
          } catch (err) {
            if (signal.aborted) throw err
            node.scorer.observe(peer, { heartbeat: 'missed' })
            const next =
              attempt < SEND_ATTEMPTS
                ? choosePeers({ scorer: node.scorer, candidates }, 1, used)[0]
                : undefined
            if (next === undefined) {
              throw new PlacementError(
                `slice ${slice.sliceIndex} shard ${index}: ${peer} refused it (${(err as Error).name}: ${(err as Error).message}) and no other peer is left`
              )
            }
            used.add(next)
            peer = next
          }
        }
      })
    )
    return {
      plainLength: slice.plainLength,
      cipherLength: slice.cipherLength,
      nonce: toHex(slice.nonce),
      shards: slice.ids.map(toHex),
      holders
    }
  }

  /** Signs and stores the manifest, remembers where the shards went, and tells the holders. */
  async #publish(
    p: UploadParams,
    cp: UploadCheckpoint,
    fileId: Uint8Array,
    fileKey: Uint8Array
  ): Promise<void> {
    const node = this.#node
    const envelope = await this.#storeManifest(p, cp, fileId, fileKey)
    // Shards a stopped run stored outside committed slices are not in the manifest: remove them.
    if (cp.stray !== undefined && cp.stray.length > 0) await deleteShards(node, fileId, cp.stray)
    // The file is durable and readable now; announcing it only helps others find it, so the
    // put does not wait for the DHT (announceFile is bounded in time and never throws).
    void announceFile(node, envelope, fileId)
  }

  /** Signs the manifest of the slices in `cp` and keeps it (with where the shards went) locally. */
  async #storeManifest(
    p: UploadParams,
    cp: UploadCheckpoint,
    fileId: Uint8Array,
    fileKey: Uint8Array
  ): Promise<Uint8Array> {
    const node = this.#node
    const manifest: Manifest = {
      fileId,
      seq: p.version,
      owner: node.userKey.publicKey,
      mode: p.layout.mode,
      dataShards: p.layout.dataShards,
      parityShards: p.layout.parityShards,
      size: cp.bytesDone,
      sliceSize: p.layout.sliceSize,
      ...(p.layout.mode === 'rs-size' ? { shardSize: p.layout.shardSize } : {}),
      slices: cp.slices.map((s) => ({
        plainLength: s.plainLength,
        cipherLength: s.cipherLength,
        nonce: fromHex(s.nonce),
        shards: s.shards.map(fromHex)
      })),
      meta: await sealFileMeta(fileKey, fileId, p.version, { name: p.name }),
      created: Date.now()
    }
    const envelope = encodeEnvelope(await sign('manifest', manifest, node.userKey))
    await node.meta.putPlacement(p.fileIdHex, { slices: cp.slices.map((s) => s.holders) })
    await node.meta.putManifest(p.fileIdHex, p.version, envelope)
    return envelope
  }

  /**
   * Cancelled: every holder deletes what this upload left (owner-signed deletes; a holder checks
   * the signer against the owner in each shard's header), then the file is tombstoned.
   */
  async cleanup(p: UploadParams, cp: UploadCheckpoint | undefined): Promise<void> {
    if (cp === undefined || (cp.slices.length === 0 && (cp.stray ?? []).length === 0)) return
    try {
      await deleteShards(this.#node, fromHex(p.fileIdHex), [
        ...cp.slices.flatMap((s) => s.holders.map((h, i) => ({ id: s.shards[i]!, holders: h }))),
        ...(cp.stray ?? [])
      ])
    } finally {
      await this.#node.meta.tombstone(p.fileIdHex)
    }
  }
}

/** Copies of each shard: the replicated modes keep m + 1 copies of their one shard per slice. */
function replicasOf(layout: Layout): number {
  return layout.mode === 'file' || layout.mode === 'slice' ? layout.parityShards + 1 : 1
}
