// The download task: read a file (or a range) into a temp file beside the destination, slice by
// slice, fsync'd and checkpointed after each, and rename it into place at the end. A pause or a
// crash resumes at the next slice; a failure or a cancel removes the temp file, so no partial
// output is ever left under the real name or beside it.
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from '@defs/crypto'
import type { ByteRange } from '@defs/net'
import { toHex } from './disk/hex.ts'
import { newReadStats, type ReadStats, readSlices } from './download.ts'
import type { NodeContext } from './node-context.ts'
import type { GetResult } from './node-types.ts'
import { resolveReadableFile } from './resolve-file.ts'
import {
  TaskCancelledSignal,
  type TaskContext,
  TaskPausedSignal,
  type TaskRunner
} from './tasks/task-types.ts'

export interface DownloadParams {
  /** A file id or a capability (kept in this node's own task store, like its keystore). */
  ref: string
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
  readonly #node: NodeContext

  constructor(node: NodeContext) {
    this.#node = node
  }

  async run(task: TaskContext<DownloadParams, DownloadCheckpoint>): Promise<GetResult> {
    const p = task.params
    const file = await resolveReadableFile(this.#node, p.ref)
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
      const slices = readSlices(this.#node, file, p.range, stats, {
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
