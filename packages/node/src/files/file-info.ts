// What list and stat say of a file, from its verified manifest: the name needs the file key
// (it is encrypted in the manifest), which only the keystore or a capability gives, never the
// network, so listing never starts a lookup. A repair this node has under way for the file is
// read off its task list.
import type { Manifest } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { type RepairInProgress, repairsInProgress } from '../repair/repairs-in-progress.ts'
import { openFileMeta } from './manifest-meta.ts'
import type { FileInfo } from './types.ts'

export async function fileInfo(
  c: NodeComponents,
  fileIdHex: string,
  m: Manifest,
  fileKey?: Uint8Array,
  /** The node's repairs under way (repairsInProgress), when a list has read them once for all. */
  repairs: ReadonlyMap<string, RepairInProgress> = repairsInProgress(c.tasks.list())
): Promise<FileInfo> {
  const repair = repairs.get(fileIdHex)
  const known = { ...infoOf(fileIdHex, m), ...(repair === undefined ? {} : { repair }) }
  const key = fileKey ?? (await c.keystore.get(fileIdHex))
  let name = ''
  if (key !== undefined) {
    try {
      name = (await openFileMeta(key, m.fileId, m.seq, m.meta)).name
    } catch {
      // A wrong key (a capability for another file version): no name, and not readable.
      return { ...known, name, readable: false }
    }
  }
  return { ...known, name, readable: key !== undefined }
}

function infoOf(fileIdHex: string, m: Manifest): Omit<FileInfo, 'name' | 'readable' | 'repair'> {
  return {
    fileId: fileIdHex,
    size: m.size,
    mode: m.mode,
    dataShards: m.dataShards,
    parityShards: m.parityShards,
    slices: m.slices.length,
    seq: m.seq,
    created: m.created
  }
}
