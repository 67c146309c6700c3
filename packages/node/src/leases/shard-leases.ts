// How long this holder keeps each claim it holds: one expiry per (shard, file), in the meta store
// (one batch per change). A claim's lease starts when the holder first sees it and is extended
// only by renewals (lease-protocol.ts); it is never shortened. What the collector removed is
// counted here, since the node started.

import type { NodeShardStore } from '../components.ts'
import { fromHex, toHex } from '../disk/hex.ts'
import type { MetaStore } from '../disk/meta-store.ts'

export interface ShardCount {
  shards: number
  bytes: number
}

export interface LeaseStatus {
  /** Every shard stored here. */
  held: ShardCount
  /** Shards with a claim whose lease runs (or that the collector has not seen yet). */
  leased: ShardCount
  /** Shards whose every claim's lease ran out: collected once the grace period has passed too. */
  expired: ShardCount
  /** Shards (and their bytes on disk) the collector removed since the node started. */
  collected: ShardCount
}

/** `<shard hex>/<file id hex>`: one claim's lease (every owner of the file on that shard shares it). */
export function leaseKey(shardHex: string, fileIdHex: string): string {
  return `${shardHex}/${fileIdHex}`
}

export class ShardLeases {
  readonly #meta: MetaStore
  readonly #until = new Map<string, number>()
  readonly collected: ShardCount = { shards: 0, bytes: 0 }

  private constructor(meta: MetaStore) {
    this.#meta = meta
  }

  static async load(meta: MetaStore): Promise<ShardLeases> {
    const leases = new ShardLeases(meta)
    for await (const { key, until } of meta.leases()) leases.#until.set(key, until)
    return leases
  }

  /** When the lease of `shardHex`'s claims for `fileIdHex` ends, undefined before it started. */
  until(shardHex: string, fileIdHex: string): number | undefined {
    return this.#until.get(leaseKey(shardHex, fileIdHex))
  }

  /** Extends each lease to `until` (none is shortened); resolves with how many changed. */
  async extend(fileIdHex: string, shardHexes: Iterable<string>, until: number): Promise<number> {
    const set: [string, number][] = []
    for (const shard of new Set(shardHexes)) {
      const key = leaseKey(shard, fileIdHex)
      if ((this.#until.get(key) ?? 0) < until) set.push([key, until])
    }
    if (set.length === 0) return 0
    await this.#meta.putLeases(set)
    for (const [key, at] of set) this.#until.set(key, at)
    return set.length
  }

  /** Starts the leases of claims seen for the first time, and drops those of claims gone. */
  async sweep(shards: NodeShardStore, start: number): Promise<void> {
    const held = new Set<string>()
    for (const id of shards.ids()) {
      for (const claim of await shards.claims(fromHex(id))) held.add(leaseKey(id, toHex(claim.fileId)))
    }
    const fresh: [string, number][] = [...held].filter((k) => !this.#until.has(k)).map((k) => [k, start])
    const gone = [...this.#until.keys()].filter((k) => !held.has(k))
    if (fresh.length === 0 && gone.length === 0) return
    await this.#meta.putLeases(fresh, gone)
    for (const [key, at] of fresh) this.#until.set(key, at)
    for (const key of gone) this.#until.delete(key)
  }

  async status(shards: NodeShardStore, now = Date.now()): Promise<LeaseStatus> {
    const status: LeaseStatus = {
      held: { shards: 0, bytes: 0 },
      leased: { shards: 0, bytes: 0 },
      expired: { shards: 0, bytes: 0 },
      collected: { ...this.collected }
    }
    for (const id of shards.ids()) {
      const bytes = shards.bytesOf(id) ?? 0
      const files = new Set((await shards.claims(fromHex(id))).map((c) => toHex(c.fileId)))
      const running = [...files].some((f) => (this.until(id, f) ?? Number.POSITIVE_INFINITY) >= now)
      for (const count of [status.held, running ? status.leased : status.expired]) {
        count.shards++
        count.bytes += bytes
      }
    }
    return status
  }
}
