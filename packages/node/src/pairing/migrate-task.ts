// The `migrate` task: copy every shard this node holds that its partner lacks to the partner,
// after a new pair formed (a failover's new partner starts empty; a first pair brings shards
// stored before it) or when the partners' digests differ. What the partner lacks comes from the
// pair's per-prefix sync (@defs/pairing's `lacking`): only the buckets that differ are compared,
// and a bucket the partner holds nothing of is sent without listing. Persisted and resumable: the
// checkpoint is the last shard id done, in sorted order, and a run goes on after it. It runs below
// user transfers (priority -1), within `pairMigrationBandwidth`, and stops, done, when the partner
// it was for is no longer the partner (a newer pair's own task takes over). A claim the partner
// refuses as deleted by its owner there is removed here too: the delete this node missed.

import { fromHex } from '@defs/crypto'
import { headerOf, ReplayError } from '@defs/net'
import type { PrefixInventory, SyncLeaf, SyncStats } from '@defs/pairing'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import type { BandwidthBudget } from '../steps/bandwidth-budget.ts'
import type { TaskContext, TaskRunner } from '../tasks/task-types.ts'

export interface MigrateParams {
  /** The partner to copy to, and the epoch of the pairing the task is for. */
  partner: string
  epoch: number
}

export interface MigrateCheckpoint {
  /** Hex id of the last shard handled; the run resumes after it. */
  after: string
}

export interface MigrateResult {
  /** Shards sent, and shards the partner had already. */
  sent: number
  present: number
  /**
   * Shards whose every claim the partner refused as deleted by their owner there (a delete this
   * node missed); those claims are removed here too.
   */
  deleted: number
  /** What the sync exchanged: bucket requests, and ids the partner listed (its differing buckets'). */
  bucketRequests: number
  listed: number
  /** The pairing changed before the end: the task stopped early. */
  superseded: boolean
}

/** Priority of migrate tasks: below user uploads and downloads (0). */
export const MIGRATE_PRIORITY = -1
/** Shards sent between two checkpoints. */
const BATCH = 256

/** Shards sent to the partner at once. */
const SENDS_IN_FLIGHT = 4

/** The pair's sync as the task uses it (the node's pairing service). */
export interface MigrateSync {
  /** This node's inventory now. */
  inventory(): PrefixInventory
  lacking(
    partner: PeerId,
    epoch: number,
    local: PrefixInventory,
    after: string,
    stats: SyncStats,
    signal: AbortSignal
  ): AsyncIterable<SyncLeaf>
}

export class MigrateRunner implements TaskRunner<MigrateParams, MigrateCheckpoint, MigrateResult> {
  readonly #c: NodeComponents
  readonly #isPartner: (peer: string, epoch: number) => boolean
  readonly #budget: BandwidthBudget
  readonly #sync: MigrateSync

  constructor(
    components: NodeComponents,
    isPartner: (peer: string, epoch: number) => boolean,
    budget: BandwidthBudget,
    sync: MigrateSync
  ) {
    this.#c = components
    this.#isPartner = isPartner
    this.#budget = budget
    this.#sync = sync
  }

  async run(ctx: TaskContext<MigrateParams, MigrateCheckpoint>): Promise<MigrateResult> {
    const { partner, epoch } = ctx.params
    const peer = peerIdFromString(partner)
    const after = ctx.checkpoint?.after ?? ''
    const stats: SyncStats = { bucketRequests: 0, listed: 0, equal: 0 }
    const result: MigrateResult = {
      sent: 0,
      present: 0,
      deleted: 0,
      bucketRequests: 0,
      listed: 0,
      superseded: false
    }
    const done = (superseded: boolean): MigrateResult => ({
      ...result,
      present: result.present + stats.equal,
      bucketRequests: stats.bucketRequests,
      listed: stats.listed,
      superseded
    })
    let bytesDone = 0
    const leaves = this.#sync.lacking(peer, epoch, this.#sync.inventory(), after, stats, ctx.signal)
    for await (const leaf of leaves) {
      if (!this.#isPartner(partner, epoch)) return done(true)
      result.present += leaf.ours.length - leaf.missing.length
      for (let at = 0; at < leaf.missing.length; at += BATCH) {
        if (!this.#isPartner(partner, epoch)) return done(true)
        const batch = leaf.missing.slice(at, at + BATCH)
        // a few puts in flight keep the link busy; the whole batch is done before its checkpoint
        for (let next = 0; next < batch.length; next += SENDS_IN_FLIGHT) {
          const sent = await Promise.all(
            batch
              .slice(next, next + SENDS_IN_FLIGHT)
              .map((id) => this.#send(peer, id, partner, epoch, ctx.signal))
          )
          for (const outcome of sent) {
            if (outcome === undefined) continue // deleted here meanwhile
            if (outcome === 'deleted') result.deleted++
            else {
              result.sent++
              bytesDone += outcome
            }
          }
        }
        ctx.progress({ shardsDone: result.sent + result.present, bytesDone })
        await ctx.save({ after: batch.at(-1)! })
      }
    }
    return done(false)
  }

  /**
   * Sends one shard with every owner's claim (the partner checks the bytes each time): its size;
   * undefined if it is gone here; 'deleted' if the partner refused every claim as deleted by its
   * owner there. A refused claim is this node's missed delete: it is removed here too (with a
   * tombstone), as the owner's delete would have; the partner's word suffices, a partner holds
   * and may drop a copy of everything anyway (a pair is one failure domain).
   */
  async #send(
    peer: PeerId,
    hexId: string,
    partner: string,
    epoch: number,
    signal: AbortSignal
  ): Promise<number | 'deleted' | undefined> {
    const id = fromHex(hexId)
    const body = await this.#c.shards.get(id)
    if (body === undefined) return undefined
    let stored = 0
    for (const claim of await this.#c.shards.claims(id)) {
      try {
        await this.#budget.spend(body.byteLength, signal)
        await this.#c.host.services.shards.put(peer, headerOf(claim), body, { id, signal })
        stored++
      } catch (err) {
        // 409 to a put: the partner holds a tombstone of this claim (ClaimDeletedError there)
        if (!(err instanceof ReplayError)) throw err
        if (this.#isPartner(partner, epoch)) await this.#c.shards.unclaim(id, claim.fileId, claim.owner)
      }
    }
    return stored === 0 ? 'deleted' : body.byteLength
  }
}
