// Publishing a file version: the owner signs its manifest, keeps it here with where the shards
// went (one write), and tells the network. Uploads publish once every shard is durable; a new
// version of a file (a mirror, a re-upload) goes through the same step.
import type { SigningKey } from '@defs/crypto'
import { type Envelope, encodeEnvelope, type Manifest, sign } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { Placement } from '../disk/meta-store.ts'
import { announceFile } from './network-index.ts'
import { ownerIdOf } from './owner-id.ts'

/** Signs `manifest` with its owner's key (the node's user by default), stores it with its placement, and announces it. */
export async function publishManifest(
  c: NodeComponents,
  manifest: Manifest,
  placement: Placement,
  owner: SigningKey = c.userKey
): Promise<Envelope<'manifest'>> {
  const envelope = await sign('manifest', manifest, owner)
  const bytes = encodeEnvelope(envelope)
  await c.meta.putOwnFile(toHex(manifest.fileId), manifest.seq, bytes, ownerIdOf(manifest.owner), placement)
  // The file is durable and readable now; announcing it only helps others find it, so the put
  // does not wait for the DHT (announceFile is bounded in time and never throws).
  void announceFile(c, bytes, manifest.fileId)
  return envelope
}
