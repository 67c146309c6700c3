// Real nodes for the mirror tests: a libp2p host on 127.0.0.1 with the mirror service over real
// memory stores (net's MemoryShardStore; manifests and blobs in maps), and a user's files made as
// an upload makes them: owner-signed manifests and shard headers, shards named by their SHA-256.
import { crc32c, randomBytes, type SigningKey, sha256 } from '@defs/crypto'
import type { MirrorService, MirrorServiceInit } from '@defs/mirror'
import {
  blobId,
  type MirrorContent,
  memoryBlobStore,
  memoryManifestStore,
  memoryStateStore,
  mirrorService,
  type StateStore,
  sealTree,
  signHome,
  signNextRoot
} from '@defs/mirror'
import { createHost, type Host, MemoryShardStore } from '@defs/net'
import { type Envelope, type Manifest, sign, signShardHeader } from '@defs/segment'
import type { PrivateKey } from '@libp2p/interface'

export type MirrorHost = Host<{ mirror: MirrorService }>

export interface NodeParts {
  state: StateStore
  content: MirrorContent & { shards: MemoryShardStore }
}

export function nodeParts(): NodeParts {
  return {
    state: memoryStateStore(),
    content: { manifests: memoryManifestStore(), shards: new MemoryShardStore(), blobs: memoryBlobStore() }
  }
}

export async function mirrorHost(
  parts: NodeParts = nodeParts(),
  options: {
    privateKey?: PrivateKey
    bootstrap?: string[]
    /** Sync timers (default: off, every sync on demand) and a progress listener. */
    init?: Pick<MirrorServiceInit, 'intervalMs' | 'retryMs' | 'onProgress'>
  } = {}
): Promise<MirrorHost> {
  return createHost({
    host: '127.0.0.1',
    ...(options.privateKey !== undefined ? { privateKey: options.privateKey } : {}),
    ...(options.bootstrap !== undefined ? { bootstrap: { peers: options.bootstrap } } : {}),
    services: {
      mirror: mirrorService({ ...parts, intervalMs: 0, ...options.init, homeTimeoutMs: 1000 })
    }
  })
}

export interface UserFile {
  fileId: Uint8Array
  manifest: Envelope<'manifest'>
  shards: { id: Uint8Array; bytes: Uint8Array; slice: number; index: number }[]
}

/** A file of `slices` slices of 2 data + 1 parity shards (rs-proportion), sealed bytes random. */
export async function userFile(owner: SigningKey, slices = 2, sliceSize = 200): Promise<UserFile> {
  const fileId = randomBytes(16)
  const shards: UserFile['shards'] = []
  const manifestSlices: Manifest['slices'] = []
  for (let s = 0; s < slices; s++) {
    const cipherLength = sliceSize + 16
    const ids: Uint8Array[] = []
    for (let index = 0; index < 3; index++) {
      const bytes = randomBytes(Math.ceil(cipherLength / 2))
      const id = await sha256(bytes)
      ids.push(id)
      shards.push({ id, bytes, slice: s, index })
    }
    manifestSlices.push({ plainLength: sliceSize, cipherLength, nonce: randomBytes(12), shards: ids })
  }
  const manifest: Manifest = {
    fileId,
    seq: 1,
    owner: owner.publicKey,
    mode: 'rs-proportion',
    dataShards: 2,
    parityShards: 1,
    size: slices * sliceSize,
    sliceSize,
    meta: new Uint8Array(0),
    created: Date.now(),
    slices: manifestSlices
  }
  return { fileId, manifest: await sign('manifest', manifest, owner), shards }
}

/** Stores `file` at a node as an upload would leave it there. */
export async function storeFile(parts: NodeParts, owner: SigningKey, file: UserFile): Promise<void> {
  await parts.content.manifests.put(file.manifest)
  for (const s of file.shards) {
    const fields = { fileId: file.fileId, slice: s.slice, index: s.index, dataShards: 2, parityShards: 1 }
    const header = await signShardHeader(owner, s.id, {
      ...fields,
      length: s.bytes.length,
      crc32c: crc32c(s.bytes)
    })
    await parts.content.shards.put(s.id, s.bytes, header)
  }
}

/** The user's next root at their home, naming `files`: the tree sealed, stored, then the root written. */
export async function publishRoot(node: MirrorHost, parts: NodeParts, owner: SigningKey, files: UserFile[]) {
  const records = node.services.mirror.records
  if ((await records.home(owner.publicKey)) === undefined) {
    await records.offerHome(await signHome(owner, node.peerId.toMultihash().bytes, undefined))
  }
  const tree = await sealTree(
    { entries: files.map((f, i) => ({ name: `file-${i}`, fileId: f.fileId, wrappedKey: randomBytes(80) })) },
    owner.publicKey
  )
  await parts.content.blobs.put(await blobId(tree), tree)
  const current = await records.root(owner.publicKey)
  await records.writeRoot(await signNextRoot(owner, current, { tree, files: files.map((f) => f.fileId) }))
}
