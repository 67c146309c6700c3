// What list and stat say of a file, from its verified manifest: the name needs the file key
// (it is encrypted in the manifest), which only the keystore or a capability gives, never the
// network, so listing never starts a lookup.
import type { Manifest } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { openFileMeta } from './manifest-meta.ts'
import type { FileInfo } from './types.ts'

export async function fileInfo(
  c: NodeComponents,
  fileIdHex: string,
  m: Manifest,
  fileKey?: Uint8Array
): Promise<FileInfo> {
  const key = fileKey ?? (await c.keystore.get(fileIdHex))
  let name = ''
  if (key !== undefined) {
    try {
      name = (await openFileMeta(key, m.fileId, m.seq, m.meta)).name
    } catch {
      // A wrong key (a capability for another file version): no name, and not readable.
      return { ...infoOf(fileIdHex, m), name, readable: false }
    }
  }
  return { ...infoOf(fileIdHex, m), name, readable: key !== undefined }
}

function infoOf(fileIdHex: string, m: Manifest): Omit<FileInfo, 'name' | 'readable'> {
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
