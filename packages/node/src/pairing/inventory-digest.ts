// A node's inventory by prefix (@defs/pairing's PrefixInventory: the digest sent with every
// heartbeat, and the buckets and ids a partner's sync asks for). Rebuilt only when the store
// changed (its change counter: a count and bytes alone repeat when a shard goes and another of
// the same size comes) or the last one is older than `maxAgeMs`.
import { PrefixInventory } from '@defs/pairing'
import type { NodeShardStore } from '../components.ts'

export class InventoryDigest {
  readonly #shards: NodeShardStore
  readonly #maxAgeMs: number
  #inventory: PrefixInventory | undefined
  #key = -1
  #at = 0

  constructor(shards: NodeShardStore, maxAgeMs: number) {
    this.#shards = shards
    this.#maxAgeMs = maxAgeMs
  }

  current(now = Date.now()): PrefixInventory {
    const key = this.#shards.changes
    if (this.#inventory === undefined || key !== this.#key || now - this.#at > this.#maxAgeMs) {
      this.#inventory = new PrefixInventory(this.#shards.ids())
      this.#key = key
      this.#at = now
    }
    return this.#inventory
  }
}
