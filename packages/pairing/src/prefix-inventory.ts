// A node's shard ids seen by prefix, for the pair's sync. The digest (SHA-256 over the sorted ids)
// goes with every heartbeat; when two partners' digests differ, each asks the other for the
// bucket counts and hashes under a prefix (256 buckets, one per value of the next byte) and goes
// down only into the buckets that differ, so what crosses the link grows with the difference, not
// with the inventory. Built once from a sorted copy of the ids; a bucket's hash is worked out when
// asked for, over the ids of that bucket alone (found by binary search).
import { createSha256, fromHex, toHex } from '@defs/crypto'
import { PAIR_BUCKET_HASH_BYTES, PAIR_BUCKETS } from '@defs/segment'

/** The counts and short hashes of the 256 buckets under one prefix. */
export interface PrefixBuckets {
  /** PAIR_BUCKETS hashes of PAIR_BUCKET_HASH_BYTES, end to end (zeros for an empty bucket). */
  hashes: Uint8Array
  counts: number[]
}

export class PrefixInventory {
  /** Lowercase hex shard ids, sorted. */
  readonly ids: readonly string[]
  readonly digest: Uint8Array
  #root: PrefixBuckets | undefined

  /** `ids`: lowercase hex shard ids in any order. */
  constructor(ids: Iterable<string>) {
    this.ids = [...ids].sort()
    const hash = createSha256()
    for (const id of this.ids) hash.update(fromHex(id))
    this.digest = hash.digest()
  }

  get size(): number {
    return this.ids.length
  }

  /** The index range [from, to) of the ids starting with `prefix` (hex). */
  range(prefix: string): [number, number] {
    return [this.#lowerBound(prefix), this.#lowerBound(upperOf(prefix), true)]
  }

  /** The ids under `prefix` (hex) greater than `after`, at most `max` of them. */
  under(prefix: string, after = '', max = Number.POSITIVE_INFINITY): string[] {
    let [from, to] = this.range(prefix)
    if (after !== '') from = Math.max(from, this.#lowerBound(after, true))
    return this.ids.slice(from, Math.min(to, from + max))
  }

  /** The buckets under `prefix` (hex, whole bytes). The root's is kept: every sync starts there. */
  buckets(prefix: string): PrefixBuckets {
    if (prefix === '' && this.#root !== undefined) return this.#root
    const hashes = new Uint8Array(PAIR_BUCKETS * PAIR_BUCKET_HASH_BYTES)
    const counts = new Array<number>(PAIR_BUCKETS).fill(0)
    const [from, to] = this.range(prefix)
    const at = prefix.length
    let i = from
    while (i < to) {
      const bucket = Number.parseInt(this.ids[i]!.slice(at, at + 2), 16)
      const hash = createSha256()
      let n = 0
      while (i < to && Number.parseInt(this.ids[i]!.slice(at, at + 2), 16) === bucket) {
        hash.update(fromHex(this.ids[i]!))
        i++
        n++
      }
      counts[bucket] = n
      hashes.set(hash.digest().subarray(0, PAIR_BUCKET_HASH_BYTES), bucket * PAIR_BUCKET_HASH_BYTES)
    }
    const out = { hashes, counts }
    if (prefix === '') this.#root = out
    return out
  }

  /** First index whose id is >= `key` (or > `key` when `strict`). */
  #lowerBound(key: string, strict = false): number {
    let lo = 0
    let hi = this.ids.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const id = this.ids[mid]!
      if (id < key || (strict && id === key)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** The greatest 32-byte id (hex) under `prefix`: every id under it compares <= this. */
export function upperOf(prefix: string): string {
  return prefix + 'f'.repeat(Math.max(0, 64 - prefix.length))
}

/** The hex prefix of bucket `bucket` under `prefix`. */
export function childOf(prefix: string, bucket: number): string {
  return prefix + toHex(Uint8Array.of(bucket))
}
