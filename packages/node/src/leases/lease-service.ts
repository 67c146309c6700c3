// Leases and garbage collection: every claim a holder keeps has a lease (shard-leases.ts). The
// owner's node renews the leases of its files (and of its unfinished uploads' committed slices)
// every quarter lease on every holder; the file's repairer (first in the repair election, see
// repair/election.ts) renews them on every live holder at its checks while the file is readable,
// so a live file's claims never run out while its owner is offline. The collector removes a
// claim whose lease ran out more than `leaseGrace` ago: shards of uploads killed before their
// manifest (their slices were never renewed; strays the checkpoint lost too), of files deleted
// while a holder was away, and rebuilt copies nobody renews.
import { decodeEnvelope, verify } from '@defs/segment'
import { TypedEventEmitter } from 'main-event'
import type { NodeComponents } from '../components.ts'
import { fromHex, toHex } from '../disk/hex.ts'
import type { FileCheck, RepairService } from '../repair/repair-service.ts'
import { isReplicated } from '../repair/slice-needs.ts'
import type { ServiceFactory } from '../services.ts'
import { lookupHolders } from '../steps/network-index.ts'
import { sameOwner } from '../steps/owner-id.ts'
import { finalStates } from '../tasks/task-types.ts'
import type { UploadCheckpoint, UploadParams } from '../transfers/upload-types.ts'
import { type LeaseOptions, type ResolvedLeaseOptions, resolveLeaseOptions } from './lease-options.ts'
import { addHolder, LEASE_PROTOCOL, renewLeases, serveLeases } from './lease-protocol.ts'

/** At most this long after a start before the owner's first renewal. */
const FIRST_RENEWAL_MS = 30_000

export interface CollectedShard {
  shardHex: string
  fileIdHex: string
  /** Bytes freed on disk (0 when another file's claim keeps the shard). */
  bytes: number
}

export interface LeaseEvents {
  /** The collector removed the claims of a file on a shard whose lease ran out a grace period ago. */
  collected: CustomEvent<CollectedShard>
  /** This node renewed a file's leases: as its owner, or as its repairer. */
  renewed: CustomEvent<{ fileIdHex: string; as: 'owner' | 'repairer'; holders: string[] }>
}

export class LeaseService extends TypedEventEmitter<LeaseEvents> {
  readonly options: ResolvedLeaseOptions
  readonly #c: NodeComponents
  readonly #repair: RepairService | undefined
  /** When this node last renewed each file as its repairer. */
  readonly #renewedAt = new Map<string, number>()
  #renewTimer: ReturnType<typeof setTimeout> | undefined
  #sweepTimer: ReturnType<typeof setTimeout> | undefined
  #stopped = new AbortController()
  #work: Promise<unknown> = Promise.resolve()
  readonly #onCheck = (e: CustomEvent<FileCheck>): void => this.#asRepairer(e.detail)

  constructor(c: NodeComponents, repair: RepairService | undefined, options: LeaseOptions = {}) {
    super()
    this.options = resolveLeaseOptions(options)
    this.#c = c
    this.#repair = repair
  }

  async start(): Promise<void> {
    this.#stopped = new AbortController()
    await serveLeases(this.#c, this.options.leaseDuration)
    this.#repair?.addEventListener('check', this.#onCheck)
    // The first renewal soon after the start (once the node had time to join its peers): an owner
    // back from a long absence renews before anything runs out.
    this.#every(
      this.options.renewInterval,
      () => this.renewOwn(),
      Math.min(this.options.renewInterval, FIRST_RENEWAL_MS),
      (t) => (this.#renewTimer = t)
    )
    this.#every(
      this.options.sweepInterval,
      () => this.collect(),
      this.options.sweepInterval,
      (t) => {
        this.#sweepTimer = t
      }
    )
  }

  async stop(): Promise<void> {
    this.#stopped.abort()
    clearTimeout(this.#renewTimer)
    clearTimeout(this.#sweepTimer)
    this.#repair?.removeEventListener('check', this.#onCheck)
    await this.#c.host.unhandle(LEASE_PROTOCOL).catch(() => {})
    await this.#work
  }

  /** Renews the leases of every file this node owns, and of its unfinished uploads; resolves with how many. */
  async renewOwn(): Promise<number> {
    const c = this.#c
    const until = Date.now() + this.options.leaseDuration
    const files = new Map<string, Map<string, Set<string>>>()
    const holdersOf = (fileIdHex: string): Map<string, Set<string>> => {
      const m = files.get(fileIdHex) ?? new Map<string, Set<string>>()
      files.set(fileIdHex, m)
      return m
    }
    for await (const { fileIdHex, envelope } of c.meta.manifests()) {
      if (this.#stopped.signal.aborted) return 0
      const manifest = await verify(decodeEnvelope(envelope), 'manifest').catch(() => undefined)
      if (manifest === undefined || !sameOwner(manifest.owner, c.userKey.publicKey)) continue
      const byPeer = holdersOf(fileIdHex)
      const placement = await c.meta.getPlacement(fileIdHex)
      // Where the upload put each shard, and where the holders' records say it is now (repairs move shards).
      const located = await lookupHolders(c, manifest).catch(() => [])
      manifest.slices.forEach((s, i) => {
        s.shards.forEach((id, j) => {
          for (const peer of [...(placement?.slices[i]?.[j] ?? []), ...(located[i]?.[j] ?? [])])
            addHolder(byPeer, c, peer, toHex(id))
        })
      })
    }
    // An upload paused (or killed and restarted) keeps its committed slices; what it placed
    // outside them (its strays) is never renewed, so a stray the checkpoint lost is collected too.
    for (const t of c.tasks.list()) {
      if (t.kind !== 'upload' || finalStates.includes(t.state)) continue
      const cp = t.checkpoint as UploadCheckpoint | undefined
      const byPeer = holdersOf((t.params as UploadParams).fileIdHex)
      for (const s of cp?.slices ?? []) {
        s.shards.forEach((id, j) => {
          for (const p of s.holders[j] ?? []) addHolder(byPeer, c, p, id)
        })
      }
    }
    let renewed = 0
    for (const [fileIdHex, byPeer] of files) {
      if (this.#stopped.signal.aborted || byPeer.size === 0) continue
      const holders = await renewLeases(c, fromHex(fileIdHex), c.userKey.publicKey, byPeer, until)
      renewed++
      this.safeDispatchEvent('renewed', { detail: { fileIdHex, as: 'owner', holders } })
    }
    return renewed
  }

  /**
   * One pass of the collector: leases start for claims seen the first time, and the claims whose
   * lease ran out `leaseGrace` ago are removed (the store's atomic unclaim, which frees the quota).
   */
  async collect(now = Date.now()): Promise<CollectedShard[]> {
    const c = this.#c
    const out: CollectedShard[] = []
    // Maintenance and draining stop background work: nothing is removed then.
    if (c.lifecycle.state !== 'running') return out
    await c.leases.sweep(c.shards, now + this.options.leaseDuration)
    for (const shardHex of c.shards.ids()) {
      if (this.#stopped.signal.aborted) break
      const id = fromHex(shardHex)
      const claims = await c.shards.claims(id)
      for (const fileIdHex of new Set(claims.map((cl) => toHex(cl.fileId)))) {
        const until = c.leases.until(shardHex, fileIdHex)
        if (until === undefined || until + this.options.leaseGrace > now) continue
        const bytes = c.shards.bytesOf(shardHex) ?? 0
        for (const claim of claims)
          if (toHex(claim.fileId) === fileIdHex) await c.shards.unclaim(id, claim.fileId, claim.owner)
        const freed = (await c.shards.has(id)) ? 0 : bytes
        if (freed > 0) {
          c.leases.collected.shards++
          c.leases.collected.bytes += freed
        }
        const done = { shardHex, fileIdHex, bytes: freed }
        out.push(done)
        this.safeDispatchEvent('collected', { detail: done })
      }
    }
    return out
  }

  /**
   * At a check of a readable file by its repairer (first in the election), every live holder is
   * renewed. The first in the election may be a holder that keeps nothing under the owner's claim
   * (it holds rebuilt shards only, so it checks nothing): any other keeper whose own lease of the
   * file is down to half a lease renews in its place.
   */
  #asRepairer(check: FileCheck): void {
    void this.#track(this.#renewAsRepairer(check))
  }

  async #renewAsRepairer(check: FileCheck): Promise<void> {
    const { fileIdHex, manifest, live, rank } = check
    const now = Date.now()
    if (rank < 0 || this.#stopped.signal.aborted) return
    if (now - (this.#renewedAt.get(fileIdHex) ?? 0) < this.options.renewInterval) return
    if (rank > 0) {
      let left = Number.POSITIVE_INFINITY
      for (const id of await this.#c.shards.shardsOf(manifest.fileId)) {
        left = Math.min(
          left,
          (this.#c.leases.until(toHex(id), fileIdHex) ?? now + this.options.leaseDuration) - now
        )
      }
      if (left >= this.options.leaseDuration / 2) return
    }
    const m = manifest.parityShards
    const readable = manifest.slices.every((s, i) =>
      isReplicated(manifest)
        ? (live[i] ?? []).some((h) => h.length > 0)
        : (live[i] ?? []).filter((h) => h.length > 0).length >= s.shards.length - m
    )
    // A file short of k shards somewhere cannot be read or rebuilt: its leftovers are let go.
    if (!readable) return
    const byPeer = new Map<string, Set<string>>()
    manifest.slices.forEach((s, i) => {
      s.shards.forEach((id, j) => {
        for (const peer of live[i]?.[j] ?? []) addHolder(byPeer, this.#c, peer, toHex(id))
      })
    })
    this.#renewedAt.set(fileIdHex, now)
    const holders = await renewLeases(
      this.#c,
      manifest.fileId,
      manifest.owner,
      byPeer,
      now + this.options.leaseDuration
    )
    this.safeDispatchEvent('renewed', { detail: { fileIdHex, as: 'repairer', holders } })
  }

  /** Runs `job` after `firstMs`, then every `ms` (±25%, so nodes do not act in step), until stopped. */
  #every(
    ms: number,
    job: () => Promise<unknown>,
    firstMs: number,
    set: (t: ReturnType<typeof setTimeout>) => void
  ): void {
    const run = (): void => {
      if (this.#stopped.signal.aborted) return
      this.#track(job()).finally(() => {
        if (this.#stopped.signal.aborted) return
        const t = setTimeout(run, ms * (0.75 + Math.random() / 2))
        t.unref?.()
        set(t)
      })
    }
    const t = setTimeout(run, firstMs)
    t.unref?.()
    set(t)
  }

  #track(p: Promise<unknown>): Promise<void> {
    const settled = p.then(
      () => {},
      () => {}
    )
    this.#work = Promise.all([this.#work, settled])
    return settled
  }
}

/**
 * The lease service as a node service (built in): `createNode({ services: { leases: leases({ leaseDuration: 3_600_000 }) } })`.
 * Options are checked here, at createNode, with errors that name them.
 */
export function leases(options: LeaseOptions = {}): ServiceFactory<LeaseService> {
  resolveLeaseOptions(options)
  return {
    dependencies: ['repair'],
    create: (components, made) =>
      new LeaseService(components, made.repair as RepairService | undefined, options)
  }
}
