// A node's inventory digest: SHA-256 over its sorted shard ids, sent with every heartbeat so two
// partners see at once whether they hold the same shards. Recomputed only when the store changed
// (its count or bytes) or the last one is older than `maxAgeMs`, never more than that per beat.
import { createHash } from 'node:crypto'
import type { NodeShardStore } from '../components.ts'

export class InventoryDigest {
  readonly #shards: NodeShardStore
  readonly #maxAgeMs: number
  #digest: Uint8Array | undefined
  #key = ''
  #at = 0

  constructor(shards: NodeShardStore, maxAgeMs: number) {
    this.#shards = shards
    this.#maxAgeMs = maxAgeMs
  }

  current(now = Date.now()): Uint8Array {
    const key = `${this.#shards.count}:${this.#shards.usedBytes}`
    if (this.#digest === undefined || key !== this.#key || now - this.#at > this.#maxAgeMs) {
      const hash = createHash('sha256')
      for (const id of this.#shards.ids().sort()) hash.update(id)
      this.#digest = new Uint8Array(hash.digest())
      this.#key = key
      this.#at = now
    }
    return this.#digest
  }
}
