// Moving one shard to or from a peer, this node included (its own store is a placement target
// like any other peer, reached without the network).
import type { ShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeContext } from './node-context.ts'

export async function storeShard(
  ctx: NodeContext,
  peer: string,
  header: ShardHeader,
  bytes: Uint8Array,
  id: Uint8Array,
  signal?: AbortSignal
): Promise<void> {
  if (peer === ctx.peerId) {
    await ctx.shards.put(id, bytes, header)
    return
  }
  await ctx.host.services.shards.put(peerIdFromString(peer), header, bytes, { id, signal })
}

/** The shard, verified against its id (a remote peer's answer is checked by the shard client). */
export async function fetchShard(
  ctx: NodeContext,
  peer: string,
  id: Uint8Array,
  signal?: AbortSignal
): Promise<Uint8Array> {
  if (peer === ctx.peerId) {
    const local = await ctx.shards.get(id)
    if (local === undefined) throw new Error(`shard not held locally`)
    return local
  }
  return ctx.host.services.shards.get(peerIdFromString(peer), id, { signal })
}
