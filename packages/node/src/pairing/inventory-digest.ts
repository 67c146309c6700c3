// A node's inventory by prefix (@defs/pairing's PrefixInventory: the digest sent with every
// heartbeat, and the buckets and ids a partner's sync asks for). Rebuilt only when the store
// changed (its change counter: a count and bytes alone repeat when a shard goes and another of
// the same size comes) or the last one is older than `maxAgeMs`; and after a change, not sooner
// than four times the last build took (at least MIN_REBUILD_MS), so a store taking a stream of
// puts is not sorted and hashed again for every heartbeat and sync request (a million ids take
// a second or two): the heartbeat's digest and a partner's sync see it at most that late.
import { PrefixInventory } from '@defs/pairing'
import type { NodeShardStore } from '../components.ts'

/** The shortest time between two builds when only a change (not age) calls for one. */
const MIN_REBUILD_MS = 250

export class InventoryDigest {
  readonly #shards: NodeShardStore
  readonly #maxAgeMs: number
  #inventory: PrefixInventory | undefined
  #key = -1
  #at = 0
  #buildMs = 0

  constructor(shards: NodeShardStore, maxAgeMs: number) {
    this.#shards = shards
    this.#maxAgeMs = maxAgeMs
  }

  current(now = Date.now()): PrefixInventory {
    const key = this.#shards.changes
    const age = now - this.#at
    const changed = key !== this.#key && age >= Math.max(MIN_REBUILD_MS, 4 * this.#buildMs)
    if (this.#inventory === undefined || changed || age > this.#maxAgeMs) {
      const started = Date.now()
      this.#inventory = new PrefixInventory(this.#shards.ids())
      this.#buildMs = Date.now() - started
      this.#key = key
      this.#at = now
    }
    return this.#inventory
  }
}
