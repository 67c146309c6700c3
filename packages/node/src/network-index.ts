// The node's side of the index broadcast: what it answers when asked who holds a file, how it
// finds a file's manifest and holders it does not know, and how it announces a new file.

import type { IndexHoldings } from '@defs/net'
import { decodeEnvelope, type Envelope, encodeEnvelope, type Manifest, verify } from '@defs/segment'
import { toHex } from './disk/hex.ts'
import type { MetaStore } from './disk/meta-store.ts'
import type { DiskShardStore } from './disk/shard-store.ts'
import type { NodeContext } from './node-context.ts'

/** How long a reader waits for holders to answer a broadcast before it falls back or gives up. */
const LOOKUP_TIMEOUT_MS = 3000

export function holdingsOf(meta: MetaStore, shards: DiskShardStore) {
  return async (fileId: Uint8Array, want: 'manifest' | 'shards'): Promise<IndexHoldings | undefined> => {
    const held = await shards.shardsOf(fileId)
    const bytes = want === 'manifest' ? await meta.getManifest(toHex(fileId)) : undefined
    if (held.length === 0 && bytes === undefined) return undefined
    return {
      shards: held,
      ...(bytes !== undefined ? { manifest: decodeEnvelope(bytes) as Envelope<'manifest'> } : {})
    }
  }
}

/** The manifest of a file from the network (verified, not older than one seen here), kept locally. */
export async function fetchManifest(node: NodeContext, fileId: Uint8Array): Promise<Manifest | undefined> {
  const found = await node.host.services.index.lookup(fileId, {
    want: 'manifest',
    timeoutMs: LOOKUP_TIMEOUT_MS
  })
  if (found.manifest === undefined) return undefined
  const manifest = await verify(found.manifest.envelope, 'manifest')
  if (toHex(manifest.fileId) !== toHex(fileId)) return undefined
  // putManifest refuses a seq older than one seen before (RollbackError).
  await node.meta.putManifest(toHex(fileId), manifest.seq, encodeEnvelope(found.manifest.envelope))
  return manifest
}

/** Who holds which shard of a file, from the holders' signed location records. */
export async function lookupHolders(node: NodeContext, manifest: Manifest): Promise<string[][][]> {
  const found = await node.host.services.index.lookup(manifest.fileId, {
    want: 'shards',
    timeoutMs: LOOKUP_TIMEOUT_MS
  })
  const byShard = new Map<string, string[]>()
  for (const { peer, record } of found.locations) {
    for (const id of record.shards) {
      const key = toHex(id)
      byShard.set(key, [...(byShard.get(key) ?? []), peer.toString()])
    }
  }
  return manifest.slices.map((s) => s.shards.map((id) => byShard.get(toHex(id)) ?? []))
}

/**
 * Tells the network a file exists once its manifest is signed: this node provides it in the DHT
 * and stores the manifest record there, so a reader finds it when no holder answers a broadcast.
 * Best effort and bounded: the file is durable already; the index only helps others find it.
 */
export async function announceFile(
  node: NodeContext,
  envelope: Uint8Array,
  fileId: Uint8Array
): Promise<void> {
  const routing = node.host.services.index.routing
  const signal = AbortSignal.timeout(LOOKUP_TIMEOUT_MS)
  await Promise.allSettled([
    routing.provide(fileId, { signal }),
    routing.putManifest(decodeEnvelope(envelope) as Envelope<'manifest'>, { signal })
  ])
}
