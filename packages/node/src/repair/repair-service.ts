// The repair service: every `repairCheckInterval` (jittered, so holders do not check in step),
// this node checks the health of each file it keeps (held-files.ts) with live location records
// and batched `has` queries; an ill slice makes the file's elected repairer (election.ts) queue a
// persisted `repair` task below user transfers, one per file at a time. Reads that needed parity
// or met a bad shard report the slice here, and the file is checked again soon. A shard both
// nodes of its pair lost is told on the node's events (`pair:lost`) before it is repaired.
import type { Manifest } from '@defs/segment'
import { TypedEventEmitter } from 'main-event'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { DegradedSlice } from '../events.ts'
import { failsAudits } from '../peers/placement.ts'
import type { ServiceFactory } from '../services.ts'
import { BandwidthBudget } from '../steps/bandwidth-budget.ts'
import { liveHolders } from '../steps/file-health.ts'
import { lookupHolders } from '../steps/network-index.ts'
import { LastHolders, lostPairCopies } from '../steps/pair-loss.ts'
import { type AuditOutcome, Auditor } from './audits.ts'
import { electionOrder, mayRepair } from './election.ts'
import { type HeldFile, heldFiles, manifestOf } from './held-files.ts'
import { REPAIR_REPORT_PROTOCOL, ReadReporter, serveReports } from './read-reports.ts'
import {
  type RepairOptions,
  type ResolvedRepairOptions,
  repairThresholdOf,
  resolveRepairOptions
} from './repair-options.ts'
import { type RepairedSlice, RepairRunner, repairParamsOf } from './repair-task.ts'
import { repairsInProgress } from './repairs-in-progress.ts'
import { type SliceNeed, slicesToRepair } from './slice-needs.ts'
import { tidyCopies, type Withdrawn } from './tidy-copies.ts'

export interface FileCheck {
  fileIdHex: string
  /** Ill slices, most urgent first; [] when the file is at full health. */
  needs: SliceNeed[]
  /** This node's place in the election among the live holders (0 repairs first). */
  rank: number
  /** The id of the repair task queued by this check, if one was. */
  queued?: string
  /** Copies of ours withdrawn because an earlier live copy of the same shard exists. */
  withdrawn: Withdrawn[]
  /** The owner's manifest checked, and who holds each shard live ([slice][shard] -> peers). */
  manifest: Manifest
  live: string[][][]
}

export interface RepairEvents {
  /** A file was checked. */
  check: CustomEvent<FileCheck>
  /** This node, the file's repairer, audited a holder (a failure names the holder and the shard). */
  audit: CustomEvent<AuditOutcome>
  /** A read (this node's or a peer's) reported a slice of a file this node keeps. */
  report: CustomEvent<{ fileIdHex: string; slice: number; from: string }>
  /** A repair task of this node placed the missing shards of one slice. */
  repaired: CustomEvent<RepairedSlice & { fileIdHex: string }>
}

/** Files checked at once in one pass. */
const CHECK_CONCURRENCY = 2
/** A file's holders are looked up again at least every this many check intervals. */
const LOOKUP_EVERY_CHECKS = 10

export class RepairService extends TypedEventEmitter<RepairEvents> {
  readonly options: ResolvedRepairOptions
  readonly #c: NodeComponents
  /**
   * Since when (ms) each file has been seen ill without getting better, and how many shards it
   * lacked then: the election's turns count from it, so a repairer whose work shows renews its lease.
   */
  readonly #ill = new Map<string, { since: number; missing: number }>()
  /** Files reported by reads and not checked since: checked at once, after a pass under way. */
  readonly #reported = new Set<string>()
  #timer: ReturnType<typeof setTimeout> | undefined
  /** Files to look at again when this node's turn in their election comes. */
  readonly #turns = new Map<string, ReturnType<typeof setTimeout>>()
  #pass: Promise<void> | undefined
  #stopped = new AbortController()
  readonly #reporter: ReadReporter
  readonly #auditor: Auditor
  /**
   * `peer/shard` copies that failed an audit: not counted as healthy, not placed on again. Every
   * copy of a peer below the audit bar (failsAudits) is treated the same.
   */
  readonly #suspects = new Set<string>()
  /**
   * Each kept file's holders ([slice][shard] -> peers) as last looked up, and when. A check asks
   * these holders first and looks the file up again only when they no longer show it healthy (a
   * shard moved or lost, a holder gone) or the lookup is old: a pass over many healthy files then
   * costs a `has` per holder and file, not an index lookup (and its wait for answers) each.
   */
  readonly #located = new Map<string, { holders: string[][][]; at: number }>()
  readonly #heldBy = new LastHolders()
  readonly #onDegraded = (e: CustomEvent<DegradedSlice>): void => {
    void this.#reporter.degraded(e.detail).catch(() => {})
  }

  constructor(c: NodeComponents, options: RepairOptions = {}) {
    super()
    this.options = resolveRepairOptions(options)
    this.#c = c
    const budget = new BandwidthBudget(this.options.repairBandwidth)
    const thresholdOf = (k: number, m: number): number => repairThresholdOf(this.options, k, m)
    this.#reporter = new ReadReporter(c, this, this.options.repairCheckInterval)
    this.#auditor = new Auditor(c)
    const suspect = (peer: string, shardHex: string): boolean => this.#distrusts(peer, shardHex)
    c.tasks.register(
      'repair',
      new RepairRunner(c, budget, thresholdOf, suspect, (fileIdHex, slice) =>
        this.safeDispatchEvent('repaired', { detail: { fileIdHex, ...slice } })
      )
    )
  }

  async start(): Promise<void> {
    this.#stopped = new AbortController()
    await serveReports(this.#c, this)
    this.#c.events.addEventListener('slice:degraded', this.#onDegraded)
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped.abort()
    clearTimeout(this.#timer)
    for (const t of this.#turns.values()) clearTimeout(t)
    this.#turns.clear()
    this.#c.events.removeEventListener('slice:degraded', this.#onDegraded)
    await this.#c.host.unhandle(REPAIR_REPORT_PROTOCOL).catch(() => {})
    await this.#pass
  }

  /**
   * One health check of every file this node keeps now (of those in `only`, when given); resolves
   * with what each check found.
   */
  async checkNow(only?: ReadonlySet<string>): Promise<FileCheck[]> {
    const signal = this.#stopped.signal
    const held = await heldFiles(this.#c)
    if (only === undefined) {
      const keep = new Set(held.map((f) => f.fileIdHex))
      for (const id of this.#located.keys()) if (!keep.has(id)) this.#located.delete(id)
    }
    const files = held.filter((f) => only === undefined || only.has(f.fileIdHex))
    const out: FileCheck[] = []
    const next = async (): Promise<void> => {
      for (let f = files.pop(); f !== undefined && !signal.aborted; f = files.pop()) {
        const checked = await this.#check(f).catch(() => undefined)
        if (checked !== undefined) out.push(checked)
      }
    }
    await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, next))
    return out
  }

  /**
   * A read found slice `slice` of a file ill: unless a repair of it is under way here, the file is
   * checked at once, alone (a file reported again before that check is reported once).
   */
  report(fileIdHex: string, slice: number, from: string): void {
    if (this.#stopped.signal.aborted || this.#repairing(fileIdHex)) return
    this.safeDispatchEvent('report', { detail: { fileIdHex, slice, from } })
    if (this.#reported.has(fileIdHex)) return
    this.#reported.add(fileIdHex)
    void this.#checkReported()
  }

  async #checkReported(): Promise<void> {
    await this.#pass
    const only = new Set(this.#reported)
    this.#reported.clear()
    if (only.size > 0 && !this.#stopped.signal.aborted) await this.checkNow(only).catch(() => {})
  }

  async #check(file: HeldFile): Promise<FileCheck | undefined> {
    const c = this.#c
    const manifest = await manifestOf(c, file)
    if (manifest === undefined) return undefined
    const key = file.fileIdHex
    const thresholdOf = (k: number, m: number): number => repairThresholdOf(this.options, k, m)
    const liveOf = async (holders: string[][][]): Promise<string[][][]> =>
      this.#trusted(manifest.slices, await liveHolders(c, { fileIdHex: key, manifest, holders }))
    const known = this.#located.get(key)
    const maxAge = LOOKUP_EVERY_CHECKS * this.options.repairCheckInterval
    let live: string[][][] | undefined
    let needs: SliceNeed[] = []
    let holders = known?.holders ?? []
    if (known !== undefined && Date.now() - known.at < maxAge) {
      live = await liveOf(holders)
      needs = slicesToRepair(manifest, live, thresholdOf)
    }
    if (live === undefined || needs.length > 0) {
      holders = await lookupHolders(c, manifest)
      this.#located.set(key, { holders, at: Date.now() })
      live = await liveOf(holders)
      needs = slicesToRepair(manifest, live, thresholdOf)
    }
    // who held what: a holder that is gone answers no lookup, so the last live holders seen count
    const held = this.#heldBy.remember(key, holders, live)
    for (const lost of lostPairCopies(manifest, held, live, (p) => c.pairs.lastPartnerOf(p)))
      c.events.safeDispatchEvent('pair:lost', { detail: { fileIdHex: key, ...lost } })
    const order = await electionOrder(manifest.fileId, live.flat(2))
    if (this.options.repairAudits && order[0] === c.peerId) {
      // The repairer audits; a copy that fails is not counted as healthy from now on.
      const outcomes = await this.#auditor.auditFile(manifest, live, this.#stopped.signal, (o) => {
        if (o.result === 'fail') this.#suspects.add(`${o.peer}/${o.shard}`)
        this.safeDispatchEvent('audit', { detail: o })
      })
      if (outcomes.some((o) => o.result === 'fail')) {
        live = this.#trusted(manifest.slices, live)
        needs = slicesToRepair(manifest, live, thresholdOf)
      }
    }
    const now = Date.now()
    const missing = needs.reduce((n, s) => n + s.missing.length + (s.missing.length === 0 ? s.copies : 0), 0)
    const seen = this.#ill.get(key)
    if (needs.length === 0) this.#ill.delete(key)
    else if (seen === undefined || missing < seen.missing) this.#ill.set(key, { since: now, missing })
    const { may, rank } = await mayRepair(
      c.peerId,
      manifest.fileId,
      live.flat(2),
      now - (this.#ill.get(key)?.since ?? now),
      this.options.repairLease
    )
    const withdrawn = this.#repairing(key) ? [] : await tidyCopies(c, manifest, live)
    const check: FileCheck = { fileIdHex: key, needs, rank, withdrawn, manifest, live }
    const since = this.#ill.get(key)?.since
    if (needs.length > 0 && !may && rank > 0 && since !== undefined)
      this.#atTurn(key, since + rank * this.options.repairLease)
    if (needs.length > 0 && may && !this.#repairing(key)) {
      const urgency = Math.min(9, needs[0]!.healthy - needs[0]!.needed)
      const params = repairParamsOf(
        manifest,
        needs.map((n) => n.slice)
      )
      try {
        const task = await c.tasks.submit('repair', params, {
          priority: this.options.repairPriority - urgency
        })
        check.queued = task.id
      } catch {
        // Maintenance or draining refuses new repairs: the next check queues it again.
      }
    }
    this.safeDispatchEvent('check', { detail: check })
    return check
  }

  /**
   * Checks the file again at `at` (this node's turn) when that comes before the next pass: the
   * takeover of a dead repairer then waits a lease, not a lease and a check interval.
   */
  #atTurn(fileIdHex: string, at: number): void {
    if (this.#turns.has(fileIdHex) || at - Date.now() >= this.options.repairCheckInterval * 0.75) return
    const timer = setTimeout(
      () => {
        this.#turns.delete(fileIdHex)
        if (this.#stopped.signal.aborted) return
        this.#reported.add(fileIdHex)
        void this.#checkReported()
      },
      Math.max(0, at - Date.now()) + 50
    )
    timer.unref?.()
    this.#turns.set(fileIdHex, timer)
  }

  /** `live` without the copies that failed an audit, or of peers that fail them. */
  #trusted(slices: { shards: Uint8Array[] }[], live: string[][][]): string[][][] {
    return live.map((slice, i) =>
      slice.map((peers, j) => peers.filter((p) => !this.#distrusts(p, toHex(slices[i]!.shards[j]!))))
    )
  }

  /** Whether `peer`'s copy of a shard counts for nothing: it failed an audit, or the peer fails them. */
  #distrusts(peer: string, shardHex: string): boolean {
    return this.#suspects.has(`${peer}/${shardHex}`) || failsAudits(this.#c, peer)
  }

  /** Whether a repair of the file is queued or running here. */
  #repairing(fileIdHex: string): boolean {
    return repairsInProgress(this.#c.tasks.list()).has(fileIdHex)
  }

  #schedule(): void {
    if (this.#stopped.signal.aborted) return
    const base = this.options.repairCheckInterval
    this.#timer = setTimeout(() => this.#run(), base * (0.75 + Math.random() / 2))
    this.#timer.unref?.()
  }

  #run(): void {
    if (this.#stopped.signal.aborted || this.#pass !== undefined) return
    this.#pass = this.checkNow()
      .then(() => {})
      .catch(() => {})
      .finally(() => {
        this.#pass = undefined
        this.#schedule()
      })
  }
}

/**
 * The repair service as a node service: `createNode({ services: { repair: repair({ repairCheckInterval: 60_000 }) } })`.
 * Options are checked here, at createNode, with errors that name them.
 */
export function repair(options: RepairOptions = {}): ServiceFactory<RepairService> {
  resolveRepairOptions(options)
  return { create: (components) => new RepairService(components, options) }
}
