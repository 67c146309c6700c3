// What this node knows its partner lacks: the shards it acknowledged with one durable copy (the
// partner did not answer the forward) since the pair last synced. A finished sync with the
// partner, a heartbeat whose inventory digest equals ours, or a new pair (whose migration then
// sends everything, shown as a migration) empties it. Bounded: past MAX_TRACKED ids only the
// counts grow, so a partner away for long costs no more memory than that.
import { toHex } from '@defs/crypto'

/** Ids remembered one by one; beyond them, shards and bytes are only counted. */
const MAX_TRACKED = 65_536

export interface Backlog {
  /** Shards the partner is known to lack. */
  shards: number
  /** Their bytes. */
  bytes: number
}

export class SyncBacklog {
  /** id (hex) -> its bytes and when it was acknowledged with one copy. */
  readonly #pending = new Map<string, { bytes: number; at: number }>()
  #untracked: Backlog = { shards: 0, bytes: 0 }

  /** A shard of `bytes` acknowledged with one copy while paired. */
  oneCopy(id: Uint8Array, bytes: number, now = Date.now()): void {
    const key = toHex(id)
    if (this.#pending.has(key)) return
    if (this.#pending.size < MAX_TRACKED) this.#pending.set(key, { bytes, at: now })
    else this.#untracked = { shards: this.#untracked.shards + 1, bytes: this.#untracked.bytes + bytes }
  }

  /**
   * Every shard acknowledged before `before` is on both partners now (a sync created then ran to
   * its end); by default all of them (the digests agree, or a new pair). The counted-only ones
   * go with a full clear alone.
   */
  clear(before = Number.POSITIVE_INFINITY): void {
    for (const [key, { at }] of this.#pending) if (at < before) this.#pending.delete(key)
    if (before === Number.POSITIVE_INFINITY) this.#untracked = { shards: 0, bytes: 0 }
  }

  get current(): Backlog {
    let bytes = this.#untracked.bytes
    for (const p of this.#pending.values()) bytes += p.bytes
    return { shards: this.#pending.size + this.#untracked.shards, bytes }
  }
}
