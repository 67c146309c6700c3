// The upload task: read -> seal on the worker pool -> place every shard -> sign the manifest.
// A slice counts as done only when every one of its shards is acknowledged durable by its
// holder; then it is checkpointed, so after a pause or a crash the upload resumes at the next
// slice. The manifest is signed and stored only when every slice is done: until then no one can
// read a half-uploaded file.
import { createReadStream } from 'node:fs'
import type { SigningKey } from '@defs/crypto'
import { type Manifest, signShardHeader } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { fromHex, toHex } from '../disk/hex.ts'
import { UploadNotResumableError } from '../errors.ts'
import { sealFileMeta } from '../files/manifest-meta.ts'
import { headersText, keepOwnerHeaders } from '../mirror/owner-headers.ts'
import { type SealedSliceHandle, type SliceSource, sealSlices } from '../pipeline/index.ts'
import { deleteShards, type HeldShard } from '../steps/delete-shards.ts'
import { placeShards } from '../steps/place-shards.ts'
import { publishManifest } from '../steps/publish-manifest.ts'
import type { TaskContext, TaskRunner } from '../tasks/task-types.ts'
import {
  replicasOf,
  type UploadCheckpoint,
  type UploadedSlice,
  type UploadParams,
  type UploadResult
} from './upload-types.ts'

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

function addHeld(list: HeldShard[], id: string, peer: string): void {
  const held = list.find((h) => h.id === id)
  if (held === undefined) list.push({ id, holders: [peer] })
  else held.holders.push(peer)
}

export class UploadRunner implements TaskRunner<UploadParams, UploadCheckpoint, UploadResult> {
  readonly #c: NodeComponents
  /** Sources that are not files, by file id: they live only as long as this process. */
  readonly #streams = new Map<string, SliceSource>()
  /** Owner keys of uploads owned by another key than the node's user, by file id (memory only). */
  readonly #owners = new Map<string, SigningKey>()

  constructor(components: NodeComponents) {
    this.#c = components
  }

  /** A non-file source for the upload of `fileIdHex`; call it before submitting the task. */
  attachStream(fileIdHex: string, source: SliceSource): void {
    this.#streams.set(fileIdHex, source)
  }

  /** The key that owns the upload of `fileIdHex` (signs its shard headers and manifest). */
  attachOwner(fileIdHex: string, owner: SigningKey): void {
    this.#owners.set(fileIdHex, owner)
  }

  async run(task: TaskContext<UploadParams, UploadCheckpoint>): Promise<UploadResult> {
    const result = await this.#run(task)
    // Kept while the task may still resume (a pause) or be cancelled (its deletes are signed with it).
    this.#owners.delete(task.params.fileIdHex)
    return result
  }

  /** The node's user, or the key attached for this upload (gone after a restart: not resumable). */
  #owner(taskId: string, p: UploadParams): SigningKey {
    if (p.owner === undefined) return this.#c.userKey
    const key = this.#owners.get(p.fileIdHex)
    if (key === undefined) {
      throw new UploadNotResumableError(
        `upload ${taskId} is owned by user ${p.owner.slice(0, 16)}…, whose key is gone (the node restarted); put the file again`
      )
    }
    return key
  }

  async #run(task: TaskContext<UploadParams, UploadCheckpoint>): Promise<UploadResult> {
    const c = this.#c
    const p = task.params
    const owner = this.#owner(task.id, p)
    const cp: UploadCheckpoint = task.checkpoint ?? { slices: [], bytesDone: 0 }
    const fileId = fromHex(p.fileIdHex)
    const fileKey = await c.keystore.get(p.fileIdHex)
    if (fileKey === undefined) throw new Error(`no key for file ${p.fileIdHex} in the keystore`)
    // Paused (or killed) after its last slice was committed: only the manifest is left to do. Reading
    // on from the end would give one more, empty, slice.
    const sealedAll = p.layout.slices !== undefined && cp.slices.length >= p.layout.slices
    if (!sealedAll) await this.#sealAndPlace(task, cp, fileId, fileKey, owner)
    // Before the manifest: once the file is readable its home can serve it to the owner's mirrors.
    if (p.owner !== undefined)
      await keepOwnerHeaders(
        c,
        p.fileIdHex,
        cp.slices.map((s) => s.headers ?? [])
      )
    await publishManifest(
      c,
      await manifestOf(owner, p, cp, fileId, fileKey),
      { slices: cp.slices.map((s) => s.holders) },
      owner
    )
    // Shards a stopped run stored outside committed slices are not in the manifest: remove them.
    if (cp.stray !== undefined && cp.stray.length > 0) await deleteShards(c, fileId, cp.stray, owner)
    return {
      fileIdHex: p.fileIdHex,
      size: cp.bytesDone,
      slices: cp.slices.length,
      holders: cp.slices.map((s) => s.holders),
      copies: cp.slices.map((s) => s.copies),
      oneCopy: cp.slices.reduce((n, s) => n + (s.oneCopy?.length ?? 0), 0)
    }
  }

  /** Seals the slices after the checkpoint and places them, committing each in order. */
  async #sealAndPlace(
    task: TaskContext<UploadParams, UploadCheckpoint>,
    cp: UploadCheckpoint,
    fileId: Uint8Array,
    fileKey: Uint8Array,
    owner: SigningKey
  ): Promise<void> {
    const c = this.#c
    const p = task.params
    const source = this.#source(task.id, p, cp)
    try {
      const sealed = sealSlices(source, {
        pool: c.pool,
        layout: p.layout,
        fileKey,
        fileId,
        version: p.version,
        bufferSize: c.options.bufferSize,
        signal: task.signal,
        firstSlice: cp.slices.length
      })
      // Slices are placed PLACE_WINDOW at a time (the network of one overlaps the sealing and the
      // sending of the next), but committed to the checkpoint strictly in order.
      const inFlight: { placed: Promise<Settled<UploadedSlice>>; stored: HeldShard[] }[] = []
      const commit = async (): Promise<void> => {
        const done = await inFlight[0]!.placed
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
          const placed = settle(this.#place(slice, fileId, p, owner, task.signal, stored)).finally(() =>
            slice.release()
          )
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

  /** Every shard of a slice on its own peer (each copy too), every acknowledgement awaited. */
  async #place(
    slice: SealedSliceHandle,
    fileId: Uint8Array,
    p: UploadParams,
    owner: SigningKey,
    signal: AbortSignal,
    stored: HeldShard[]
  ): Promise<UploadedSlice> {
    const c = this.#c
    // One owner signature per shard, whatever peers (and retries) it goes to: holders trust the
    // owner a header names only through it.
    const shards = await Promise.all(
      slice.shards.map(async (bytes, index) => ({
        index,
        bytes,
        id: slice.ids[index]!,
        header: await signShardHeader(owner, slice.ids[index]!, {
          fileId,
          slice: slice.sliceIndex,
          index,
          dataShards: slice.dataShards,
          parityShards: slice.parityShards,
          length: bytes.length,
          crc32c: slice.crcs[index]!
        })
      }))
    )
    const oneCopy = new Set<number>()
    // beside each holder, in the order placeShards records them (it calls onStored right after)
    const copies: number[][] = shards.map(() => [])
    const holders = await placeShards(c, {
      shards,
      replicas: replicasOf(p.layout),
      // A network group of unproven peers lost must not take the slice with it: at most m there.
      perGroup: Math.max(1, p.layout.parityShards),
      what: `slice ${slice.sliceIndex}`,
      signal,
      onStored: (shard, peer, n) => {
        addHeld(stored, toHex(shard.id), peer)
        copies[shard.index]!.push(n)
        // a paired holder says 2 when its partner took the copy too; 1 is a degraded shard
        if (n < 2 && c.pairs.partnerOf(peer) !== undefined) oneCopy.add(shard.index)
      }
    })
    return {
      plainLength: slice.plainLength,
      cipherLength: slice.cipherLength,
      nonce: toHex(slice.nonce),
      shards: slice.ids.map(toHex),
      holders,
      copies,
      ...(p.owner !== undefined ? { headers: headersText(shards.map((s) => s.header)) } : {}),
      ...(oneCopy.size > 0 ? { oneCopy: [...oneCopy].sort((a, b) => a - b) } : {})
    }
  }

  /**
   * Cancelled: every holder deletes what this upload left (owner-signed deletes; a holder checks
   * the signer against the owner in each shard's header), then the file is tombstoned.
   */
  async cleanup(p: UploadParams, cp: UploadCheckpoint | undefined): Promise<void> {
    const owner = p.owner === undefined ? this.#c.userKey : this.#owners.get(p.fileIdHex)
    this.#owners.delete(p.fileIdHex)
    if (cp === undefined || (cp.slices.length === 0 && (cp.stray ?? []).length === 0)) return
    try {
      // A user's upload cancelled after a restart: their key is gone and only it can sign the
      // deletes, so the holders keep those shards (not yet deleted); the file is tombstoned all the same.
      if (owner !== undefined) {
        await deleteShards(
          this.#c,
          fromHex(p.fileIdHex),
          [
            ...cp.slices.flatMap((s) => s.holders.map((h, i) => ({ id: s.shards[i]!, holders: h }))),
            ...(cp.stray ?? [])
          ],
          owner
        )
      }
    } finally {
      await this.#c.meta.tombstone(p.fileIdHex)
    }
  }
}

/** The manifest of the slices in `cp`: what the owner signs once every slice is durable. */
async function manifestOf(
  owner: SigningKey,
  p: UploadParams,
  cp: UploadCheckpoint,
  fileId: Uint8Array,
  fileKey: Uint8Array
): Promise<Manifest> {
  return {
    fileId,
    seq: p.version,
    owner: owner.publicKey,
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
}
