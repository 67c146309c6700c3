// Shards and signed requests for tests: random bytes with a real header and id.
import { generateSigningKey, type PublicKey, randomBytes, type SigningKey, sha256 } from '@defs/crypto'
import { type Envelope, type Manifest, type ShardHeader, shardHeaderOf, sign } from '@defs/segment'

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
  owner: PublicKey = testOwner.publicKey
): Promise<TestShard> {
  const bytes = randomBytes(size)
  const header = shardHeaderOf({ fileId, slice: 0, index, dataShards: 200, parityShards: 50, owner }, bytes)
  return { id: await sha256(bytes), header, bytes }
}

export async function signedDelete(
  owner: SigningKey,
  fileId: Uint8Array,
  shards: Uint8Array[],
  time = Date.now()
): Promise<Envelope<'delete'>> {
  return sign('delete', { fileId, shards, nonce: randomBytes(16), time }, owner)
}

/** A signed one-slice manifest of `fileId` (`file` mode: one shard, replicated). */
export async function signedManifest(
  owner: SigningKey,
  fileId: Uint8Array,
  seq = 1
): Promise<{ manifest: Manifest; envelope: Envelope<'manifest'> }> {
  const manifest: Manifest = {
    fileId,
    seq,
    owner: owner.publicKey,
    mode: 'file',
    dataShards: 1,
    parityShards: 2,
    size: 5,
    sliceSize: 5,
    meta: new Uint8Array(0),
    created: Date.now(),
    slices: [{ plainLength: 5, cipherLength: 21, nonce: randomBytes(12), shards: [randomBytes(32)] }]
  }
  return { manifest, envelope: await sign('manifest', manifest, owner) }
}
