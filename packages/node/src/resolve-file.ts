// From a file ref to what a reader needs: the verified manifest, the file key and who holds
// which shard. The manifest comes from the local store first (no network), its signature and
// seq are checked before anything else is trusted.
import { unwrapKeyWithSigningKey } from '@defs/crypto'
import { decodeEnvelope, type Manifest, verify } from '@defs/segment'
import { toHex } from './disk/hex.ts'
import { parseFileRef } from './file-ref.ts'
import { fetchManifest, lookupHolders } from './network-index.ts'
import type { NodeContext } from './node-context.ts'

export class FileNotFoundError extends Error {
  override name = 'FileNotFoundError'
}

export class FileKeyMissingError extends Error {
  override name = 'FileKeyMissingError'
}

export interface ResolvedFile {
  fileIdHex: string
  manifest: Manifest
  /** Holders of each shard of each slice, best first: [slice][shard] -> peers. */
  holders: string[][][]
}

export interface ReadableFile extends ResolvedFile {
  fileKey: Uint8Array
}

export async function resolveFile(node: NodeContext, ref: string): Promise<ResolvedFile> {
  const { fileIdHex, fileId } = parseFileRef(ref)
  if (await node.meta.isTombstoned(fileIdHex)) throw new FileNotFoundError(`file ${fileIdHex} was deleted`)
  const bytes = await node.meta.getManifest(fileIdHex)
  // Not known here: ask the network (holders answer the broadcast, else the DHT).
  const manifest =
    bytes !== undefined ? await verify(decodeEnvelope(bytes), 'manifest') : await fetchManifest(node, fileId)
  if (manifest === undefined) {
    throw new FileNotFoundError(`file ${fileIdHex} is not known to this node, and no peer answered for it`)
  }
  if (toHex(manifest.fileId) !== toHex(fileId)) {
    throw new FileNotFoundError(`the manifest stored for ${fileIdHex} names file ${toHex(manifest.fileId)}`)
  }
  const placement = (await node.meta.getPlacement(fileIdHex)) as { slices: string[][][] } | undefined
  const holders =
    placement !== undefined
      ? manifest.slices.map((s, i) => s.shards.map((_, j) => placement.slices[i]?.[j] ?? []))
      : await lookupHolders(node, manifest)
  return { fileIdHex, manifest, holders }
}

export async function resolveReadableFile(node: NodeContext, ref: string): Promise<ReadableFile> {
  const file = await resolveFile(node, ref)
  const { fileKey: fromRef } = parseFileRef(ref)
  if (fromRef !== undefined) return { ...file, fileKey: fromRef }
  const fileKey = await keystoreFileKey(node, file.fileIdHex)
  if (fileKey === undefined) {
    throw new FileKeyMissingError(
      `no key for file ${file.fileIdHex} on this node: read it with its capability (defs:…)`
    )
  }
  return { ...file, fileKey }
}

/** The file key this node keeps (wrapped to its user key) for a file it uploaded, if any. */
export async function keystoreFileKey(node: NodeContext, fileIdHex: string): Promise<Uint8Array | undefined> {
  const wrapped = await node.meta.getFileKey(fileIdHex)
  return wrapped === undefined ? undefined : unwrapKeyWithSigningKey(wrapped, node.userKey)
}
