// Who may store how much here. Every put reserves room as its body arrives (never the size it
// announces), against the node's total and, for a peer without standing (a stranger), against
// what that peer, its network group and all strangers together may hold. Stored bytes per
// uploader come from the store, which records them with each shard, so they survive a restart.
import type { ShardUploader } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import type { ShardLimits } from './shard-limits.ts'
import { addBytes, type ShardStore } from './shard-store.ts'

/**
 * How far a peer is trusted to store here: `trusted` (a pair partner, a configured peer) and
 * `known` (past probation) are bound only by the node's total; a `stranger` by small quotas.
 */
export type Standing = 'trusted' | 'known' | 'stranger'

export type StandingOf = (peer: PeerId) => Standing

/** The room one put holds while its body arrives. */
export interface Reservation {
  readonly uploader: ShardUploader
  /** False for a new claim on a shard held already: it charges the uploader, not the disk. */
  readonly physical: boolean
  bytes: number
}

type Limits = Pick<
  ShardLimits,
  'maxStoredBytes' | 'strangerBytesPerPeer' | 'strangerBytesPerGroup' | 'strangerBytesTotal'
>

export class StorageAdmission {
  private readonly store: ShardStore
  private readonly limits: Limits
  private pending = 0
  private pendingStrangers = 0
  private readonly pendingByPeer = new Map<string, number>()
  private readonly pendingByGroup = new Map<string, number>()

  constructor(store: ShardStore, limits: Limits) {
    this.store = store
    this.limits = limits
  }

  /** Bytes reserved by puts still arriving (for tests and metrics). */
  get reserved(): number {
    return this.pending
  }

  open(uploader: ShardUploader, physical: boolean): Reservation {
    return { uploader, physical, bytes: 0 }
  }

  /**
   * Why `bytes` more cannot be stored for `r` (undefined: they were reserved). With `dryRun`,
   * only whether they would fit now (a put that could never fit is refused before its body).
   */
  async reserve(r: Reservation, bytes: number, dryRun = false): Promise<string | undefined> {
    const { uploader } = r
    if (r.physical) {
      const total = (await this.store.size()) + this.pending + bytes
      if (total > this.limits.maxStoredBytes) {
        return `no room for ${bytes} more bytes: ${total} would pass maxStoredBytes ${this.limits.maxStoredBytes}`
      }
    }
    if (uploader.stranger === true) {
      const usage = await this.store.usage()
      const mine =
        (usage.byPeer.get(uploader.peer) ?? 0) + (this.pendingByPeer.get(uploader.peer) ?? 0) + bytes
      if (mine > this.limits.strangerBytesPerPeer) {
        return `no room for ${bytes} more bytes from a stranger: it would hold ${mine}, over ${this.limits.strangerBytesPerPeer}`
      }
      const group = uploader.group
      if (group !== undefined) {
        const ours = (usage.byGroup.get(group) ?? 0) + (this.pendingByGroup.get(group) ?? 0) + bytes
        if (ours > this.limits.strangerBytesPerGroup) {
          return `no room for ${bytes} more bytes from strangers in ${group}: they would hold ${ours}, over ${this.limits.strangerBytesPerGroup}`
        }
      }
      const all = usage.strangers + this.pendingStrangers + bytes
      if (all > this.limits.strangerBytesTotal) {
        return `no room for ${bytes} more bytes from strangers: they would hold ${all}, over ${this.limits.strangerBytesTotal}`
      }
    }
    if (!dryRun) this.add(r, bytes)
    return undefined
  }

  /** Give back what `r` holds (the put ended: stored, so the store counts it now, or failed). */
  release(r: Reservation): void {
    this.add(r, -r.bytes)
  }

  private add(r: Reservation, bytes: number): void {
    r.bytes += bytes
    const { uploader } = r
    if (r.physical) this.pending += bytes
    if (uploader.stranger !== true) return
    this.pendingStrangers += bytes
    addBytes(this.pendingByPeer, uploader.peer, bytes)
    if (uploader.group !== undefined) addBytes(this.pendingByGroup, uploader.group, bytes)
  }
}
