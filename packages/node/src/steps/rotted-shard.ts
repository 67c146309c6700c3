// A shard that rotted on this disk (its bytes no longer match the checksum its file carries, or
// the file ends short) is worth nothing to anyone: served again, it would only make readers fetch
// it and refuse it. The shard server finds it as it streams it; the node then drops it from the
// store, so `has` answers no and the file's health counts the shard lost (repair rebuilds it from
// the other shards of its slice), and says so with a `shard:rotted` event.
import { toHex } from '@defs/crypto'
import type { DiskShardStore } from '../disk/shard-store.ts'
import type { NodeEvents } from '../events.ts'

export interface RottedShard {
  shardId: string
  /** What the check found (the checksum that did not match, the bytes missing). */
  detail: string
  /** False when the shard was gone already (another read dropped it first). */
  dropped: boolean
}

export function dropRottedShards(shards: DiskShardStore, events: NodeEvents) {
  return (id: Uint8Array, detail: string): void => {
    const shardId = toHex(id)
    shards.delete(id).then(
      (dropped) => events.safeDispatchEvent('shard:rotted', { detail: { shardId, detail, dropped } }),
      // The store refused the unlink (disk gone): the next read finds the rot again.
      () => {}
    )
  }
}
