// Shards and signed requests for tests: random bytes with a real, owner-signed header and id.
import { generateSigningKey, randomBytes, type SigningKey, sha256 } from '@defs/crypto'
import {
  type Envelope,
  type Manifest,
  type ShardHeader,
  shardHeaderOf,
  sign,
  signShardHeader
} from '@defs/segment'
import type { PeerId } from '@libp2p/interface'

export interface TestShard {
  id: Uint8Array
  header: ShardHeader
  bytes: Uint8Array
}

/** The owner the shards of makeShard belong to unless told otherwise. */
export const testOwner: SigningKey = await generateSigningKey()

export async function makeShard(
  size: number,
  fileId: Uint8Array = randomBytes(16),
  index = 0,
  owner: SigningKey = testOwner,
  bytes: Uint8Array = randomBytes(size)
): Promise<TestShard> {
  const id = await sha256(bytes)
  const fields = { fileId, slice: 0, index, dataShards: 200, parityShards: 50 }
  return { id, header: await signShardHeader(owner, id, shardHeaderOf(fields, bytes)), bytes }
}

export async function signedDelete(
  owner: SigningKey,
  recipient: PeerId,
  fileId: Uint8Array,
  shards: Uint8Array[],
  time = Date.now()
): Promise<Envelope<'delete'>> {
  return sign(
    'delete',
    { fileId, shards, nonce: randomBytes(16), time, recipient: recipient.toMultihash().bytes },
    owner
  )
}

/** A signed one-slice manifest of `fileId` (`file` mode: one shard, replicated). */
export async function signedManifest(
  owner: SigningKey,
  fileId: Uint8Array,
  seq = 1,
  size = 5
): Promise<{ manifest: Manifest; envelope: Envelope<'manifest'> }> {
  const manifest: Manifest = {
    fileId,
    seq,
    owner: owner.publicKey,
    mode: 'file',
    dataShards: 1,
    parityShards: 2,
    size,
    sliceSize: Math.max(1, size),
    meta: new Uint8Array(0),
    created: Date.now(),
    slices: [
      { plainLength: size, cipherLength: size + 16, nonce: randomBytes(12), shards: [randomBytes(32)] }
    ]
  }
  return { manifest, envelope: await sign('manifest', manifest, owner) }
}
