// From a file ref to what a reader needs: the verified manifest, the file key and who holds
// which shard, each looked up once. The manifest comes from the local store first (no network);
// its signature and seq are checked before anything else is trusted.
import { decodeEnvelope, type Manifest, verify } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import { FileKeyMissingError, FileNotFoundError } from '../errors.ts'
import { fetchManifest, lookupHolders } from '../steps/network-index.ts'
import { parseFileRef } from './file-ref.ts'

export interface ResolvedFile {
  fileIdHex: string
  manifest: Manifest
}

export interface LocatedFile extends ResolvedFile {
  /** Holders of each shard of each slice, best first: [slice][shard] -> peers. */
  holders: string[][][]
}

export interface ReadableFile extends LocatedFile {
  fileKey: Uint8Array
}

/** The file's verified manifest, from here or, when this node does not know it, from the network. */
export async function resolveManifest(c: NodeComponents, ref: string): Promise<ResolvedFile> {
  const { fileIdHex, fileId } = parseFileRef(ref)
  if (await c.meta.isTombstoned(fileIdHex)) throw new FileNotFoundError(`file ${fileIdHex} was deleted`)
  const bytes = await c.meta.getManifest(fileIdHex)
  // Not known here: ask the network (holders answer the broadcast, else the DHT).
  const manifest =
    bytes !== undefined ? await verify(decodeEnvelope(bytes), 'manifest') : await fetchManifest(c, fileId)
  if (manifest === undefined) {
    throw new FileNotFoundError(`file ${fileIdHex} is not known to this node, and no peer answered for it`)
  }
  if (toHex(manifest.fileId) !== fileIdHex) {
    throw new FileNotFoundError(`the manifest stored for ${fileIdHex} names file ${toHex(manifest.fileId)}`)
  }
  return { fileIdHex, manifest }
}

/** Who holds each shard: where our own upload put them, else the holders' location records. */
export async function locate(c: NodeComponents, file: ResolvedFile): Promise<LocatedFile> {
  const placement = await c.meta.getPlacement(file.fileIdHex)
  const holders =
    placement !== undefined
      ? file.manifest.slices.map((s, i) => s.shards.map((_, j) => placement.slices[i]?.[j] ?? []))
      : await lookupHolders(c, file.manifest)
  return { ...file, holders }
}

export async function resolveFile(c: NodeComponents, ref: string): Promise<LocatedFile> {
  return locate(c, await resolveManifest(c, ref))
}

/** The file key: the capability's, else this node's keystore's; FileKeyMissingError without either. */
export async function fileKeyOf(c: NodeComponents, ref: string, fileIdHex: string): Promise<Uint8Array> {
  const fromRef = parseFileRef(ref).fileKey
  if (fromRef !== undefined) return fromRef
  const fileKey = await c.keystore.get(fileIdHex)
  if (fileKey === undefined) {
    throw new FileKeyMissingError(
      `no key for file ${fileIdHex} on this node: read it with its capability (defs:…)`
    )
  }
  return fileKey
}

export async function resolveReadableFile(c: NodeComponents, ref: string): Promise<ReadableFile> {
  const file = await resolveManifest(c, ref)
  const fileKey = await fileKeyOf(c, ref, file.fileIdHex)
  return { ...(await locate(c, file)), fileKey }
}
