// The `migrate` task: copy every shard this node holds that its partner lacks to the partner,
// after a new pair formed (a failover's new partner starts empty; a first pair brings shards
// stored before it). Persisted and resumable: the checkpoint is the last shard id done, in sorted
// order, and a run goes on after it. It runs below user transfers (priority -1), within
// `pairMigrationBandwidth`, and stops, done, when the partner it was for is no longer the partner
// (a newer pair's own task takes over).

import { fromHex } from '@defs/crypto'
import { headerOf, ReplayError } from '@defs/net'
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
  /** Claims the partner refused as deleted by their owner there (a delete this node missed). */
  deleted: number
  /** The pairing changed before the end: the task stopped early. */
  superseded: boolean
}

/** Priority of migrate tasks: below user uploads and downloads (0). */
export const MIGRATE_PRIORITY = -1
/** Shard ids asked about in one `has`. */
const BATCH = 256

/** Shards sent to the partner at once. */
const SENDS_IN_FLIGHT = 4

export class MigrateRunner implements TaskRunner<MigrateParams, MigrateCheckpoint, MigrateResult> {
  readonly #c: NodeComponents
  readonly #isPartner: (peer: string, epoch: number) => boolean
  readonly #budget: BandwidthBudget

  constructor(
    components: NodeComponents,
    isPartner: (peer: string, epoch: number) => boolean,
    budget: BandwidthBudget
  ) {
    this.#c = components
    this.#isPartner = isPartner
    this.#budget = budget
  }

  async run(ctx: TaskContext<MigrateParams, MigrateCheckpoint>): Promise<MigrateResult> {
    const { partner, epoch } = ctx.params
    const peer = peerIdFromString(partner)
    const shards = this.#c.host.services.shards
    const after = ctx.checkpoint?.after ?? ''
    const ids = this.#c.shards
      .ids()
      .filter((id) => id > after)
      .sort()
    const result: MigrateResult = { sent: 0, present: 0, deleted: 0, superseded: false }
    let bytesDone = 0
    for (let at = 0; at < ids.length; at += BATCH) {
      if (!this.#isPartner(partner, epoch)) return { ...result, superseded: true }
      const batch = ids.slice(at, at + BATCH)
      const have = await shards.has(peer, batch.map(fromHex), { signal: ctx.signal })
      result.present += have.filter((h) => h === true).length
      const missing = batch.filter((_, i) => have[i] !== true)
      // a few puts in flight keep the link busy; the whole batch is done before its checkpoint
      for (let next = 0; next < missing.length; next += SENDS_IN_FLIGHT) {
        const sent = await Promise.all(
          missing.slice(next, next + SENDS_IN_FLIGHT).map((id) => this.#send(peer, id, ctx.signal))
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
    return result
  }

  /**
   * Sends one shard with every owner's claim (the partner checks the bytes each time): its size;
   * undefined if it is gone here; 'deleted' if the partner refused every claim as deleted by its
   * owner there (this node missed that delete; its copy stays an extra one, not sent again by
   * this run, and the partner's tombstone keeps it from coming back).
   */
  async #send(peer: PeerId, hexId: string, signal: AbortSignal): Promise<number | 'deleted' | undefined> {
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
      }
    }
    return stored === 0 ? 'deleted' : body.byteLength
  }
}
