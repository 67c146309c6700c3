// A Kademlia routing table over 256-bit keys with one bucket per common prefix length (CPL)
// relative to the local key, so bucket i holds peers whose key first differs from ours at bit i.
// This is the fully split form of the classic bucket-splitting table.
//
// Limits, checked in this order when a new peer arrives (a present peer is only refreshed):
//   1. a peer whose key equals the local key is rejected ('self');
//   2. `maxPeersPerGroup`: at most this many peers of one network group in the whole table
//      ('group-limit');
//   3. `maxPeersPerCpl`: at most this many peers of one network group in one CPL bucket
//      ('cpl-group-limit'); this is libp2p's "max peers per CPL" of its diversity filter;
//   4. `bucketSize`: a full bucket does not take the peer now; it goes into that bucket's
//      replacement cache ('cached') and the least recently seen peer is returned so the caller
//      can ping it and `remove` it if it does not answer, which promotes a cached peer.
// A peer without a group (no address, loopback, or `networkGroup` returned undefined) is a group
// of its own: limits 2 and 3 never refuse it. Rejected peers are not cached, so a flood from one
// group cannot push honest candidates out of the replacement cache.
import { checkCount } from './check.ts'
import { closestInBuckets } from './closest.ts'
import { checkKey, cplUnchecked, KEY_BITS } from './key.ts'
import { networkGroupOf } from './network-group.ts'
import { tally } from './tally.ts'
import { TypedEventTarget } from './typed-event-target.ts'

export interface RoutingPeer {
  /** The peer id as a string (the table's index). */
  id: string
  /** 32-byte routing key, `await keyOf(peerIdBytes)`. */
  key: Uint8Array
  /** The address the peer was seen at; the default `networkGroup` derives the group from it. */
  address?: string
}

export interface RoutingEntry {
  readonly id: string
  readonly key: Uint8Array
  readonly address: string | undefined
  /** Network group, `undefined` when the peer is a group of its own. */
  readonly group: string | undefined
  /** Common prefix length with the local key: the bucket index, 0..255. */
  readonly cpl: number
  readonly addedAt: number
  readonly lastSeen: number
}

export type RejectReason = 'self' | 'group-limit' | 'cpl-group-limit'

export type AddResult =
  | { status: 'added'; entry: RoutingEntry }
  | { status: 'updated'; entry: RoutingEntry }
  | { status: 'cached'; oldest: RoutingEntry }
  | { status: 'rejected'; reason: RejectReason }

export interface RoutingTableOptions {
  /** Peers per bucket (k), default 20; `Infinity` keeps every peer (a flat table). */
  bucketSize?: number
  /** Peers of one network group per CPL bucket, default 3; `Infinity` turns the limit off. */
  maxPeersPerCpl?: number
  /** Peers of one network group in the table, default 6; `Infinity` turns the limit off. */
  maxPeersPerGroup?: number
  /** Candidates kept per full bucket, default 20; 0 keeps none. */
  replacementCacheSize?: number
  /** Default: `networkGroupOf(peer.address)` (IPv4 /24, IPv6 /48; loopback has none). */
  networkGroup?: (peer: RoutingPeer) => string | undefined
  /** Milliseconds clock for `addedAt` / `lastSeen`, default `Date.now`. */
  now?: () => number
}

export interface RoutingTableEvents extends Record<string, unknown> {
  'peer:added': RoutingEntry
  'peer:removed': RoutingEntry
  /** A removed peer's place was taken by a peer from the replacement cache. */
  'peer:replaced': { removed: RoutingEntry; added: RoutingEntry }
}

type Entry = { -readonly [K in keyof RoutingEntry]: RoutingEntry[K] }

interface Bucket {
  /** Least recently seen first (Map keeps insertion order; a refresh re-inserts). */
  peers: Map<string, Entry>
  replacements: Map<string, Entry>
}

export class RoutingTable extends TypedEventTarget<RoutingTableEvents> {
  readonly localKey: Uint8Array
  readonly bucketSize: number
  readonly maxPeersPerCpl: number
  readonly maxPeersPerGroup: number
  readonly replacementCacheSize: number
  private readonly networkGroup: (peer: RoutingPeer) => string | undefined
  private readonly now: () => number
  private readonly buckets: (Bucket | undefined)[] = new Array(KEY_BITS).fill(undefined)
  private readonly index = new Map<string, Entry>()
  private readonly groupCount = new Map<string, number>()
  private readonly cplGroupCount = new Map<string, number>()

  constructor(localKey: Uint8Array, options: RoutingTableOptions = {}) {
    super()
    this.localKey = Uint8Array.from(checkKey('localKey', localKey))
    this.bucketSize = checkCount('bucketSize', options.bucketSize ?? 20, 1, true)
    this.maxPeersPerCpl = checkCount('maxPeersPerCpl', options.maxPeersPerCpl ?? 3, 1, true)
    this.maxPeersPerGroup = checkCount('maxPeersPerGroup', options.maxPeersPerGroup ?? 6, 1, true)
    this.replacementCacheSize = checkCount('replacementCacheSize', options.replacementCacheSize ?? 20, 0)
    this.networkGroup =
      options.networkGroup ??
      ((peer) => (peer.address === undefined ? undefined : networkGroupOf(peer.address)))
    this.now = options.now ?? Date.now
  }

  /** Peers in the table (not counting replacement caches). */
  get size(): number {
    return this.index.size
  }

  has(id: string): boolean {
    return this.index.has(id)
  }

  get(id: string): RoutingEntry | undefined {
    return this.index.get(id)
  }

  /** Adds a peer or refreshes one already present (its address and group stay as first seen). */
  add(peer: RoutingPeer): AddResult {
    const present = this.index.get(peer.id)
    if (present !== undefined) {
      this.touch(this.buckets[present.cpl]!.peers, present)
      return { status: 'updated', entry: present }
    }
    const cpl = cplUnchecked(this.localKey, checkKey('peer.key', peer.key))
    if (cpl === KEY_BITS) return { status: 'rejected', reason: 'self' }
    const group = this.networkGroup(peer)
    const refused = this.refusal(cpl, group)
    if (refused !== undefined) return { status: 'rejected', reason: refused }
    const bucket = this.bucketAt(cpl)
    if (bucket.peers.size < this.bucketSize) {
      const entry = this.entryOf(peer, cpl, group)
      this.insert(bucket, entry)
      this.emit('peer:added', entry)
      return { status: 'added', entry }
    }
    this.cache(bucket, peer, cpl, group)
    return { status: 'cached', oldest: bucket.peers.values().next().value! }
  }

  /**
   * Removes a peer from the table and from any replacement cache. When it leaves room, the most
   * recently seen cached candidate that the limits allow takes its place ('peer:replaced').
   */
  remove(id: string): boolean {
    const entry = this.index.get(id)
    if (entry === undefined) {
      for (const bucket of this.buckets) bucket?.replacements.delete(id)
      return false
    }
    const bucket = this.buckets[entry.cpl]!
    bucket.peers.delete(id)
    this.index.delete(id)
    this.count(entry, -1)
    this.emit('peer:removed', entry)
    const promoted = this.promote(bucket)
    if (promoted !== undefined) {
      this.emit('peer:added', promoted)
      this.emit('peer:replaced', { removed: entry, added: promoted })
    }
    return true
  }

  /** The `n` peers nearest to `key` by XOR distance, nearest first (exact). */
  closest(key: Uint8Array, n: number): RoutingEntry[] {
    checkKey('key', key)
    checkCount('n', n, 0, true)
    const maps = this.buckets.map((b) => b?.peers)
    return closestInBuckets(maps, this.localKey, key, n)
  }

  /** Every peer, bucket by bucket (CPL 0 first), least recently seen first within a bucket. */
  *peers(): IterableIterator<RoutingEntry> {
    for (const bucket of this.buckets) if (bucket !== undefined) yield* bucket.peers.values()
  }

  /** The peers of bucket `cpl`, least recently seen first. */
  bucket(cpl: number): RoutingEntry[] {
    return [...(this.buckets[checkCount('cpl', cpl, 0)]?.peers.values() ?? [])]
  }

  /** The replacement cache of bucket `cpl`, least recently seen first. */
  replacements(cpl: number): RoutingEntry[] {
    return [...(this.buckets[checkCount('cpl', cpl, 0)]?.replacements.values() ?? [])]
  }

  private refusal(cpl: number, group: string | undefined): RejectReason | undefined {
    if (group === undefined) return undefined
    if ((this.groupCount.get(group) ?? 0) >= this.maxPeersPerGroup) return 'group-limit'
    if ((this.cplGroupCount.get(`${cpl} ${group}`) ?? 0) >= this.maxPeersPerCpl) return 'cpl-group-limit'
    return undefined
  }

  private bucketAt(cpl: number): Bucket {
    let bucket = this.buckets[cpl]
    if (bucket === undefined) {
      bucket = { peers: new Map(), replacements: new Map() }
      this.buckets[cpl] = bucket
    }
    return bucket
  }

  private entryOf(peer: RoutingPeer, cpl: number, group: string | undefined): Entry {
    const now = this.now()
    const key = Uint8Array.from(peer.key)
    return { id: peer.id, key, address: peer.address, group, cpl, addedAt: now, lastSeen: now }
  }

  private insert(bucket: Bucket, entry: Entry): void {
    bucket.peers.set(entry.id, entry)
    this.index.set(entry.id, entry)
    this.count(entry, 1)
  }

  private touch(map: Map<string, Entry>, entry: Entry): void {
    entry.lastSeen = this.now()
    map.delete(entry.id)
    map.set(entry.id, entry)
  }

  private cache(bucket: Bucket, peer: RoutingPeer, cpl: number, group: string | undefined): void {
    if (this.replacementCacheSize === 0) return
    const cached = bucket.replacements.get(peer.id)
    if (cached !== undefined) {
      this.touch(bucket.replacements, cached)
      return
    }
    bucket.replacements.set(peer.id, this.entryOf(peer, cpl, group))
    if (bucket.replacements.size > this.replacementCacheSize) {
      bucket.replacements.delete(bucket.replacements.keys().next().value!)
    }
  }

  private promote(bucket: Bucket): Entry | undefined {
    const candidates = [...bucket.replacements.values()].reverse()
    const chosen = candidates.find((c) => this.refusal(c.cpl, c.group) === undefined)
    if (chosen === undefined) return undefined
    bucket.replacements.delete(chosen.id)
    chosen.addedAt = this.now()
    this.insert(bucket, chosen)
    return chosen
  }

  private count(entry: Entry, delta: 1 | -1): void {
    if (entry.group === undefined) return
    tally(this.groupCount, entry.group, delta)
    tally(this.cplGroupCount, `${entry.cpl} ${entry.group}`, delta)
  }
}
