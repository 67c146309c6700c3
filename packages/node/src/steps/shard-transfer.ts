// Moving one shard to or from a peer, this node included (its own store is a placement target
// like any other peer, reached without the network).
import { constantTimeEqual, sha256, toHex } from '@defs/crypto'
import { ShardCorruptError, type ShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import { recordTransfer } from '../peers/observations.ts'

/** Stores a shard on `peer`; resolves with the durable copies its answer names (1 when it names none). */
export async function storeShard(
  ctx: NodeComponents,
  peer: string,
  header: ShardHeader,
  bytes: Uint8Array,
  id: Uint8Array,
  signal?: AbortSignal
): Promise<number> {
  if (peer === ctx.peerId) return (await ctx.shards.put(id, bytes, header)) ?? 1
  let copies = 1
  const onAck = (ack: { copies?: number }): void => {
    copies = ack.copies ?? 1
  }
  const started = performance.now()
  await ctx.host.services.shards.put(peerIdFromString(peer), header, bytes, { id, signal, onAck })
  recordTransfer(ctx, peer, bytes.length, performance.now() - started)
  return copies
}

/**
 * The shard, verified against its id: a remote peer's answer by the shard client, this node's
 * own copy here (the store's CRC32C catches rot, not a wrong shard under the name).
 */
export async function fetchShard(
  ctx: NodeComponents,
  peer: string,
  id: Uint8Array,
  signal?: AbortSignal
): Promise<Uint8Array> {
  if (peer === ctx.peerId) {
    const local = await ctx.shards.get(id)
    if (local === undefined) throw new Error(`shard not held locally`)
    if (!constantTimeEqual(await sha256(local), id)) {
      throw new ShardCorruptError(`shard ${toHex(id)}: the copy stored here does not hash to its id`, {
        shardId: toHex(id),
        peer
      })
    }
    return local
  }
  const started = performance.now()
  const bytes = await ctx.host.services.shards.get(peerIdFromString(peer), id, { signal })
  recordTransfer(ctx, peer, bytes.length, performance.now() - started)
  return bytes
}
