// The download task: read a file (or a range) into a temp file beside the destination, slice by
// slice, fsync'd and checkpointed after each, and rename it into place at the end. A pause or a
// crash resumes at the next slice; a failure or a cancel removes the temp file, so no partial
// output is ever left under the real name or beside it.
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { decodePublicKey, randomBytes } from '@defs/crypto'
import type { ByteRange } from '@defs/net'
import { formatCapability } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { fromHex, toHex } from '../disk/hex.ts'
import { TaskCancelledSignal, TaskPausedSignal } from '../errors.ts'
import { resolveReadableFile } from '../files/resolve-file.ts'
import type { GetResult } from '../files/types.ts'
import { newReadStats, type ReadStats, readFileSlices } from '../steps/read-slices.ts'
import type { TaskContext, TaskRunner } from '../tasks/task-types.ts'

export interface DownloadParams {
  /** A file id: a capability's key goes to the keystore (wrapped), never into a task record. */
  ref: string
  /** The owner the capability named (multikey hex): whose manifest to take from the network. */
  owner?: string
  destination: string
  range?: ByteRange
}

export interface DownloadCheckpoint {
  partial: string
  slicesDone: number
  bytesWritten: number
  shardsFetched: number
  slicesReconstructed: number
  badPeers: string[]
}

export class DownloadRunner implements TaskRunner<DownloadParams, DownloadCheckpoint, GetResult> {
  readonly #node: NodeComponents

  constructor(node: NodeComponents) {
    this.#node = node
  }

  async run(task: TaskContext<DownloadParams, DownloadCheckpoint>): Promise<GetResult> {
    const p = task.params
    const file = await resolveReadableFile(this.#node, await refOf(this.#node, p))
    const cp: DownloadCheckpoint = task.checkpoint ?? {
      partial: join(dirname(p.destination), `.${basename(p.destination)}.${toHex(randomBytes(4))}.partial`),
      slicesDone: 0,
      bytesWritten: 0,
      shardsFetched: 0,
      slicesReconstructed: 0,
      badPeers: []
    }
    const stats = newReadStats()
    const handle = await openPartial(cp)
    try {
      // Whatever a crash left past the last checkpoint is written again.
      await handle.truncate(cp.bytesWritten)
      const slices = readFileSlices(this.#node, file, p.range, stats, {
        reuse: true,
        signal: task.signal,
        skipSlices: cp.slicesDone
      })
      for await (const chunk of slices) {
        for (let at = 0; at < chunk.length; ) {
          at += (await handle.write(chunk, at, chunk.length - at, cp.bytesWritten + at)).bytesWritten
        }
        await handle.sync()
        cp.bytesWritten += chunk.length
        cp.slicesDone++
        task.progress({
          bytesDone: cp.bytesWritten,
          slicesDone: cp.slicesDone,
          shardsDone: cp.shardsFetched + stats.shardsFetched
        })
        await task.save({ ...cp, ...totals(cp, stats) })
      }
      await handle.close()
      await rename(cp.partial, p.destination)
    } catch (err) {
      await handle.close().catch(() => {})
      // Paused: the temp file is the progress (a cancel's cleanup removes it). Any other failure:
      // no partial output stays behind.
      const stopped =
        err instanceof TaskPausedSignal || err instanceof TaskCancelledSignal || task.signal.aborted
      if (!stopped) await rm(cp.partial, { force: true })
      throw err
    }
    return {
      fileId: file.fileIdHex,
      bytes: cp.bytesWritten,
      slicesRead: cp.slicesDone,
      ...totals(cp, stats)
    }
  }

  async cleanup(_params: DownloadParams, checkpoint: DownloadCheckpoint | undefined): Promise<void> {
    if (checkpoint !== undefined) await rm(checkpoint.partial, { force: true })
  }
}

/** The ref to resolve: the id, or (when the capability named an owner) the capability again, its key from the keystore. */
async function refOf(c: NodeComponents, p: DownloadParams): Promise<string> {
  const key = p.owner === undefined ? undefined : await c.keystore.get(p.ref)
  return key === undefined ? p.ref : formatCapability(fromHex(p.ref), key, decodePublicKey(fromHex(p.owner!)))
}

/** The temp file to go on writing; when it is gone (a failed task resumed), start over. */
async function openPartial(cp: DownloadCheckpoint) {
  if (cp.bytesWritten > 0) {
    try {
      return await open(cp.partial, 'r+')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      Object.assign(cp, {
        slicesDone: 0,
        bytesWritten: 0,
        shardsFetched: 0,
        slicesReconstructed: 0,
        badPeers: []
      })
    }
  }
  return open(cp.partial, 'w')
}

/** What earlier runs (the checkpoint) and this one fetched, rebuilt and caught, together. */
function totals(cp: DownloadCheckpoint, stats: ReadStats) {
  return {
    shardsFetched: cp.shardsFetched + stats.shardsFetched,
    slicesReconstructed: cp.slicesReconstructed + stats.slicesReconstructed,
    badPeers: [...new Set([...cp.badPeers, ...stats.badPeers])]
  }
}
