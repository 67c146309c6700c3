// The node's stores as the mirror sees them: manifests in the meta store (checked as every other
// manifest: signature, owner, no rollback of its seq), shards in the node's shard store, and for
// shards of the node's own user that are placed on other peers, a fetch from their holders with
// the header signed again by that user (only the owner can sign one, and this node holds its key).

import { crc32c } from '@defs/crypto'
import type { BlobStore, ManifestStore, MirrorContent, ShardSource } from '@defs/mirror'
import {
  decodeEnvelope,
  encodeEnvelope,
  samePublicKey,
  signShardHeader,
  sliceLayout,
  verify
} from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import { locate } from '../files/resolve-file.ts'
import { ownerIdOf } from '../steps/owner-id.ts'
import { fetchShard } from '../steps/shard-transfer.ts'
import { ownerHeader } from './owner-headers.ts'

export function nodeManifests(c: NodeComponents): ManifestStore {
  return {
    async get(fileId, owner) {
      const bytes = await c.meta.getManifest(toHex(fileId))
      if (bytes === undefined) return undefined
      const envelope = decodeEnvelope(bytes)
      const manifest = await verify(envelope, 'manifest')
      return samePublicKey(manifest.owner, owner)
        ? (envelope as typeof envelope & { type: 'manifest' })
        : undefined
    },
    async put(envelope) {
      const manifest = await verify(envelope, 'manifest')
      await c.meta.putManifest(
        toHex(manifest.fileId),
        manifest.seq,
        encodeEnvelope(envelope),
        ownerIdOf(manifest.owner)
      )
    }
  }
}

/**
 * Shards of the users this node is home of that other peers hold, fetched for a mirror asking for
 * them: with a header the node's own user signs again, or, for a logged-in user's upload, the one
 * their key signed at upload (kept by owner-headers.ts).
 */
export function ownUserShards(c: NodeComponents): ShardSource {
  return async (manifest, slice, index) => {
    const own = samePublicKey(manifest.owner, c.userKey.publicKey)
    const fileIdHex = toHex(manifest.fileId)
    const kept = own ? undefined : await ownerHeader(c, fileIdHex, slice, index)
    if (!own && (kept === undefined || !samePublicKey(kept.owner, manifest.owner))) return undefined
    const id = manifest.slices[slice]!.shards[index]!
    const located = await locate(c, { fileIdHex, manifest })
    for (const peer of located.holders[slice]?.[index] ?? []) {
      const bytes = await fetchShard(c, peer, id).catch(() => undefined)
      if (bytes === undefined) continue
      if (kept !== undefined) {
        // The mirror checks the header against the bytes too; a mismatch here is another copy.
        if (kept.length !== bytes.length || kept.crc32c !== crc32c(bytes)) continue
        return { header: kept, bytes }
      }
      const layout = sliceLayout(manifest, slice)
      const header = await signShardHeader(c.userKey, id, {
        fileId: manifest.fileId,
        slice,
        index,
        dataShards: layout.dataShards,
        parityShards: layout.parityShards,
        length: bytes.length,
        crc32c: crc32c(bytes)
      })
      return { header, bytes }
    }
    return undefined
  }
}

export function nodeMirrorContent(c: NodeComponents, blobs: BlobStore): MirrorContent {
  return { manifests: nodeManifests(c), shards: c.shards, blobs, remoteShards: ownUserShards(c) }
}
