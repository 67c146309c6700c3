// From a file ref to what a reader needs: the verified manifest, the file key and who holds
// which shard, each looked up once. The manifest comes from the local store first (no network);
// its signature and seq are checked before anything else is trusted.
import { decodeEnvelope, type Manifest, parseFileRef, verify } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import { FileKeyMissingError, FileNotFoundError } from '../errors.ts'
import { fetchManifest, lookupHolders, someoneHas } from '../steps/network-index.ts'
import { sameOwner } from '../steps/owner-id.ts'

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

/**
 * The file's verified manifest: the one held here when it is the ref's owner's (or the ref names
 * none), else the named owner's from the network. A ref that names no owner (a bare id, an old
 * capability) never takes a manifest from the network: whoever answered first would decide.
 */
export async function resolveManifest(c: NodeComponents, ref: string): Promise<ResolvedFile> {
  const { fileIdHex, fileId, owner } = parseFileRef(ref)
  if (await c.meta.isTombstoned(fileIdHex)) throw new FileNotFoundError(`file ${fileIdHex} was deleted`)
  const bytes = await c.meta.getManifest(fileIdHex)
  const held = bytes === undefined ? undefined : await verify(decodeEnvelope(bytes), 'manifest')
  const ours = held !== undefined && (owner === undefined || sameOwner(held.owner, owner)) ? held : undefined
  if (ours === undefined && owner === undefined) {
    // Not a guess: a bare id names no owner, so the network is not asked.
    throw new FileNotFoundError(
      `file ${fileIdHex} is not held here, and a file id names no owner to ask the network for: read it with its capability (defs:<id>:<key>:<owner>)`
    )
  }
  // Not held here (or held as another owner's): the owner's from the network.
  const manifest = ours ?? (await fetchManifest(c, fileId, owner!))
  if (manifest === undefined) {
    throw new FileNotFoundError(`file ${fileIdHex} is not known to this node, and no peer answered for it`)
  }
  if (toHex(manifest.fileId) !== fileIdHex) {
    throw new FileNotFoundError(`the manifest stored for ${fileIdHex} names file ${toHex(manifest.fileId)}`)
  }
  return { fileIdHex, manifest }
}

/**
 * Who holds each shard: where our own upload put them, else the holders' location records. With
 * `records`, our placement and the records together (repair moves shards without the owner).
 */
export async function locate(
  c: NodeComponents,
  file: ResolvedFile,
  options: { records?: boolean } = {}
): Promise<LocatedFile> {
  const placement = await c.meta.getPlacement(file.fileIdHex)
  if (placement === undefined) return { ...file, holders: await lookupHolders(c, file.manifest) }
  const placed = file.manifest.slices.map((s, i) => s.shards.map((_, j) => placement.slices[i]?.[j] ?? []))
  if (options.records !== true) return { ...file, holders: placed }
  const found = await lookupHolders(c, file.manifest)
  const holders = placed.map((slice, i) =>
    slice.map((peers, j) => [...new Set([...peers, ...found[i]![j]!])])
  )
  return { ...file, holders }
}

export async function resolveFile(c: NodeComponents, ref: string): Promise<LocatedFile> {
  return locate(c, await resolveManifest(c, ref))
}

/**
 * The file key: the capability's, else this node's keystore's. Without either, the error says
 * what is missing: the file (deleted, or no node has it), or only its key (FileKeyMissingError).
 * Whether a node has it is asked by id only to choose that message; nothing it sends is used.
 */
export async function fileKeyOf(c: NodeComponents, ref: string): Promise<Uint8Array> {
  const { fileIdHex, fileId, fileKey } = parseFileRef(ref)
  const key = fileKey ?? (await c.keystore.get(fileIdHex))
  if (key !== undefined) return key
  if (await c.meta.isTombstoned(fileIdHex)) throw new FileNotFoundError(`file ${fileIdHex} was deleted`)
  const known = (await c.meta.getManifest(fileIdHex)) !== undefined || (await someoneHas(c, fileId))
  if (!known)
    throw new FileNotFoundError(`file ${fileIdHex} is not known to this node, and no peer answered for it`)
  throw new FileKeyMissingError(
    `no key for file ${fileIdHex} on this node: read it with its capability (defs:…)`
  )
}

export async function resolveReadableFile(c: NodeComponents, ref: string): Promise<ReadableFile> {
  // The key first: without one there is nothing to read, whoever holds the manifest.
  const fileKey = await fileKeyOf(c, ref)
  const file = await resolveManifest(c, ref)
  return { ...(await locate(c, file)), fileKey }
}
