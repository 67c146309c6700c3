// The files this node keeps healthy: those it holds a shard of under the file owner's own claim,
// each with its owner's verified manifest (held here, else asked of the network for that owner
// and cached). A claim signed by someone else (a repairer's, ours included) names no file owner,
// so it makes nobody a keeper; a file its owner deleted from this node drops out with its claims,
// so repair never brings a deleted file back.
import { type PublicKey, toHex } from '@defs/crypto'
import { decodeEnvelope, type Manifest, verify } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { fromHex } from '../disk/hex.ts'
import { fetchManifest } from '../steps/network-index.ts'
import { ownerIdOf, sameOwner } from '../steps/owner-id.ts'

export interface HeldFile {
  fileIdHex: string
  owner: PublicKey
}

/** Every (file, owner) this node holds an owner-signed claim of, once each. */
export async function heldFiles(c: NodeComponents): Promise<HeldFile[]> {
  const held = new Map<string, HeldFile>()
  for (const id of c.shards.ids()) {
    for (const claim of await c.shards.claims(fromHex(id))) {
      const fileIdHex = toHex(claim.fileId)
      const key = `${fileIdHex}/${ownerIdOf(claim.owner)}`
      if (!held.has(key)) held.set(key, { fileIdHex, owner: claim.owner })
    }
  }
  return [...held.values()]
}

/**
 * The owner's manifest of a held file: the one stored here when it is that owner's, else the
 * network's answer for that owner (checked and stored by fetchManifest). Undefined when the file
 * was deleted here or no holder of the manifest answered.
 */
export async function manifestOf(c: NodeComponents, file: HeldFile): Promise<Manifest | undefined> {
  if (await c.meta.isTombstoned(file.fileIdHex)) return undefined
  const bytes = await c.meta.getManifest(file.fileIdHex)
  if (bytes !== undefined) {
    const manifest = await verify(decodeEnvelope(bytes), 'manifest')
    if (sameOwner(manifest.owner, file.owner)) return manifest
    // The file's manifest here is another owner's: this claim is a repairer's, which owns no
    // manifest. Asking the network for one would only fetch the owner's from honest holders, and
    // count their answers as forgeries (not the owner asked for) against them.
    return undefined
  }
  // Our own key's claims on a file we do not own are shards we rebuilt: no manifest of ours exists.
  if (sameOwner(file.owner, c.userKey.publicKey)) return undefined
  return fetchManifest(c, fromHex(file.fileIdHex), file.owner).catch(() => undefined)
}
