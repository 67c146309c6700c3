// Storing a file: plan its layout (mode, slice size, code) before the first byte is read, keep a
// fresh file key in the keystore, and run the upload as a persisted task the caller follows.
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { generateFileKey, randomBytes } from '@defs/crypto'
import { formatCapability } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import { checkCode } from '../options.ts'
import { placementCandidates, placementRoom } from '../peers/placement.ts'
import { planLayout } from '../pipeline/index.ts'
import { ownerIdOf } from '../steps/owner-id.ts'
import { followTask } from '../tasks/follow-task.ts'
import type { UploadRunner } from '../transfers/upload-task.ts'
import type { UploadParams, UploadResult } from '../transfers/upload-types.ts'
import type { FileSource, PutOptions, PutResult } from './types.ts'

export async function putFile(
  c: NodeComponents,
  uploads: UploadRunner,
  source: FileSource,
  options: PutOptions = {}
): Promise<PutResult> {
  const o = c.options
  checkCode(options.dataShards, options.parityShards)
  // Asked again by the queue; asked first here so a refused put leaves no key in the keystore.
  c.lifecycle.admitTask('upload')
  let size = options.size
  let name = options.name ?? ''
  if (typeof source === 'string') {
    const info = await stat(source)
    if (!info.isFile()) throw new RangeError(`${source} is not a file`)
    size = info.size
    name = options.name ?? basename(source)
  }
  const candidates = placementCandidates(c)
  const layout = planLayout({
    size,
    mode: options.mode ?? o.storageMode,
    dataShards: options.dataShards ?? o.dataShards,
    parityShards: options.parityShards ?? o.parityShards,
    minSliceSize: o.minSliceSize,
    maxSliceSize: o.maxSliceSize,
    shardSize: o.shardSize,
    peers: candidates.length,
    room: placementRoom(c, candidates),
    bufferSize: o.bufferSize,
    workers: c.pool.size
  })
  const fileId = randomBytes(16)
  const fileIdHex = toHex(fileId)
  const fileKey = generateFileKey()
  await c.keystore.put(fileIdHex, fileKey)
  const params: UploadParams = {
    fileIdHex,
    path: typeof source === 'string' ? source : null,
    name,
    size,
    layout,
    version: 1
  }
  const owner = options.owner ?? c.userKey
  if (options.owner !== undefined) {
    params.owner = ownerIdOf(options.owner.publicKey)
    uploads.attachOwner(fileIdHex, options.owner)
  }
  if (typeof source !== 'string') uploads.attachStream(fileIdHex, source)
  const task = await c.tasks.submit('upload', params, { priority: options.priority })
  const result = (await followTask(c.tasks, task.id, options.onProgress)).result as UploadResult
  // Peers still on probation that got shards: the network had too few proven ones.
  const unproven = [...new Set(result.holders.flat(2))].filter((p) => p !== c.peerId && !c.standing.proven(p))
  const notes = [
    ...(layout.reason !== undefined ? [layout.reason] : []),
    ...(unproven.length > 0
      ? [`${unproven.length} peer(s) still on probation hold shards (too few proven peers)`]
      : []),
    ...(result.oneCopy > 0
      ? [
          `${result.oneCopy} shard(s) on 1 copy for now: their holder's partner did not answer; the pair's sync adds the second`
        ]
      : [])
  ]
  return {
    fileId: fileIdHex,
    capability: formatCapability(fileId, fileKey, owner.publicKey),
    taskId: task.id,
    size: result.size,
    mode: layout.mode,
    dataShards: layout.dataShards,
    parityShards: layout.parityShards,
    sliceSize: layout.sliceSize,
    placement: result.holders.map((shards, slice) => ({
      slice,
      shards: shards.flatMap((peers, index) =>
        peers.map((peerId, j) => {
          const copies = result.copies?.[slice]?.[index]?.[j]
          return { index, peerId, ...(copies !== undefined ? { copies } : {}) }
        })
      )
    })),
    ...(unproven.length > 0 ? { unproven } : {}),
    ...(result.oneCopy > 0 ? { oneCopy: result.oneCopy } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {})
  }
}
