// The node's side of the index broadcast: what it answers when asked who holds a file, how it
// finds a file's manifest and holders it does not know, and how it announces a new file.

import type { PublicKey } from '@defs/crypto'
import type { IndexHoldings } from '@defs/net'
import { decodeEnvelope, type Envelope, encodeEnvelope, limits, type Manifest, verify } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents, NodeShardStore } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { MetaStore } from '../disk/meta-store.ts'
import { ownerIdOf, sameOwner } from './owner-id.ts'

/** How long a reader waits for holders to answer a broadcast before it falls back or gives up. */
const LOOKUP_TIMEOUT_MS = 3000

export function holdingsOf(meta: MetaStore, shards: NodeShardStore) {
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

/**
 * The manifest `owner` signed for a file, from the network: holders' answers signed by anyone else
 * are refused (and their senders reported) while the lookup waits for the owner's; checked again
 * here, not older than one seen of that owner, kept locally.
 */
export async function fetchManifest(
  node: NodeComponents,
  fileId: Uint8Array,
  owner: PublicKey
): Promise<Manifest | undefined> {
  const found = await node.host.services.index.lookup(fileId, {
    want: 'manifest',
    owner,
    timeoutMs: LOOKUP_TIMEOUT_MS
  })
  if (found.manifest === undefined) return undefined
  const manifest = await verify(found.manifest.envelope, 'manifest')
  if (toHex(manifest.fileId) !== toHex(fileId) || !sameOwner(manifest.owner, owner)) return undefined
  // putManifest refuses a seq older than one seen of this owner (RollbackError).
  await node.meta.putManifest(
    toHex(fileId),
    manifest.seq,
    encodeEnvelope(found.manifest.envelope),
    ownerIdOf(owner)
  )
  return manifest
}

/** Whether any node answers for a file id (any owner's manifest): only to word an error, never trusted. */
export async function someoneHas(node: NodeComponents, fileId: Uint8Array): Promise<boolean> {
  const found = await node.host.services.index.lookup(fileId, {
    want: 'manifest',
    timeoutMs: LOOKUP_TIMEOUT_MS
  })
  return found.manifests.length > 0
}

/**
 * Who holds which shard of a file, from the holders' signed location records, and this node's own
 * store (a node does not answer its own broadcast: a copy it holds beside a partner's or another
 * repairer's would go uncounted). A shard no record names (a holder outside the gossip mesh yet,
 * just after a restart, say) is asked for directly: every connected peer is asked whether they
 * have it.
 */
export async function lookupHolders(node: NodeComponents, manifest: Manifest): Promise<string[][][]> {
  const found = await node.host.services.index.lookup(manifest.fileId, {
    want: 'shards',
    timeoutMs: LOOKUP_TIMEOUT_MS
  })
  const byShard = new Map<string, string[]>()
  const add = (id: Uint8Array, peer: string): void => {
    const key = toHex(id)
    const holders = byShard.get(key) ?? []
    if (!holders.includes(peer)) byShard.set(key, [...holders, peer])
  }
  for (const { peer, record } of found.locations) for (const id of record.shards) add(id, peer.toString())
  const ids = manifest.slices.flatMap((s) => s.shards)
  for (const id of ids) if (await node.shards.has(id)) add(id, node.peerId)
  const unplaced = ids.filter((id) => !byShard.has(toHex(id)))
  if (unplaced.length > 0) {
    const peers = node.host.getPeers().map(String)
    const signal = AbortSignal.timeout(LOOKUP_TIMEOUT_MS)
    await Promise.all(
      peers.map(async (peer) => {
        const have = await peerHas(node, peer, unplaced, signal).catch(() => [])
        unplaced.forEach((id, n) => {
          if (have[n] === true) add(id, peer)
        })
      })
    )
  }
  return manifest.slices.map((s) => s.shards.map((id) => byShard.get(toHex(id)) ?? []))
}

/** Which of `ids` `peer` holds (this node: its own store), asked in batches the protocol accepts. */
export async function peerHas(
  node: NodeComponents,
  peer: string,
  ids: Uint8Array[],
  signal: AbortSignal
): Promise<boolean[]> {
  if (peer === node.peerId) return Promise.all(ids.map((id) => node.shards.has(id)))
  const have: boolean[] = []
  for (let at = 0; at < ids.length; at += limits.maxHasIds) {
    const batch = ids.slice(at, at + limits.maxHasIds)
    have.push(...(await node.host.services.shards.has(peerIdFromString(peer), batch, { signal })))
  }
  return have
}

/**
 * Tells the network a file exists once its manifest is signed: this node provides it in the DHT
 * and stores the manifest record there, so a reader finds it when no holder answers a broadcast.
 * Best effort and bounded: the file is durable already; the index only helps others find it.
 * Says whether the DHT took both (it never throws).
 */
export async function announceFile(
  node: NodeComponents,
  envelope: Uint8Array,
  fileId: Uint8Array,
  signal?: AbortSignal
): Promise<boolean> {
  const routing = node.host.services.index.routing
  const timeout = AbortSignal.timeout(LOOKUP_TIMEOUT_MS)
  const options = { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) }
  const told = await Promise.allSettled([
    routing.provide(fileId, options),
    routing.putManifest(decodeEnvelope(envelope) as Envelope<'manifest'>, options)
  ])
  return told.every((t) => t.status === 'fulfilled')
}
