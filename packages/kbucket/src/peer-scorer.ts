// Multi-factor peer scoring for shard placement and pairing. See score-factors.ts for the
// formula and select.ts for how targets are drawn.
import { checkAmount, checkChoice, checkCount } from './check.ts'
import { DecayingSeries } from './decaying-value.ts'
import { InvalidArgumentError } from './errors.ts'
import { secureRandom } from './random.ts'
import {
  blend,
  NEUTRAL,
  resolveReferences,
  resolveWeights,
  type ScoreFactors,
  type ScoreReferences,
  type ScoreWeights,
  saturating,
  weightedScore
} from './score-factors.ts'
import { type Candidate, pickSpread } from './select.ts'
import { tally } from './tally.ts'

export interface Observation {
  /** A round-trip time measured to the peer. */
  rttMs?: number
  /** A measured transfer rate, bytes per second. */
  bandwidthBps?: number
  /** Free storage the peer advertised. */
  freeBytes?: number
  /** The peer's uptime (advertised or measured). */
  uptimeMs?: number
  heartbeat?: 'ok' | 'missed'
  audit?: 'pass' | 'fail'
  /** Network group, e.g. `networkGroupOf(observedAddress)`; replaces the previous one. */
  group?: string
  /** Optional region label (self-declared; used for diversity only). */
  region?: string
}

export type Diversity = 'group' | 'region' | 'none'

export interface PeerScorerOptions {
  weights?: Partial<ScoreWeights>
  references?: Partial<ScoreReferences>
  /** Evidence loses half its weight every this many ms, default 1 hour. */
  halfLifeMs?: number
  /** How many samples the neutral prior (0.5) is worth, default 1. */
  priorWeight?: number
  /** Score distance from the top that still counts as the best tier, default 0.05. */
  tierWidth?: number
  /** Peers remembered; the least recently observed is forgotten beyond it, default 50 000. */
  maxPeers?: number
  /** Milliseconds clock, default `Date.now`. */
  now?: () => number
  /** Uniform [0, 1) source for `select`, default `secureRandom` (CSPRNG). */
  random?: () => number
}

export interface SelectOptions {
  /** Peer ids never chosen (e.g. the local node, holders of other shards of the slice). */
  exclude?: Iterable<string>
  /** Only peers for which this returns true are considered. */
  filter?: (peerId: string) => boolean
  /** What picks are spread over, default 'group'. */
  diversity?: Diversity
  random?: () => number
  tierWidth?: number
}

/** What a scorer knows, as plain data a node keeps across restarts (see `snapshot`, `restore`). */
export interface ScorerSnapshot {
  version: 1
  peers: PeerSnapshot[]
}

export interface PeerSnapshot {
  id: string
  group?: string
  region?: string
  /** ms on the scorer's clock when the peer was last observed. */
  at: number
  /** Decayed sum and weight of each series, in the scorer's series order. */
  sums: number[]
  weights: number[]
}

/** Longest peer id, group or region label a snapshot may carry. */
const MAX_LABEL = 256

interface PeerRecord {
  group: string | undefined
  region: string | undefined
  series: DecayingSeries
}

/** Series of a peer record: means of every sample, or (capacity, uptime) the latest one. */
const RTT = 0
const BANDWIDTH = 1
const HEARTBEAT = 2
const AUDIT = 3
const CAPACITY = 4
const UPTIME = 5
const SERIES_COUNT = 6

const DIVERSITIES: readonly Diversity[] = ['group', 'region', 'none']

export class PeerScorer {
  readonly weights: Readonly<ScoreWeights>
  readonly references: Readonly<ScoreReferences>
  readonly halfLifeMs: number
  readonly priorWeight: number
  readonly tierWidth: number
  readonly maxPeers: number
  private readonly now: () => number
  private readonly random: () => number
  /** Least recently observed first. */
  private readonly records = new Map<string, PeerRecord>()
  private readonly groups = new Map<string, number>()
  private readonly regions = new Map<string, number>()

  constructor(options: PeerScorerOptions = {}) {
    this.weights = resolveWeights(options.weights)
    this.references = resolveReferences(options.references)
    this.halfLifeMs = checkAmount('halfLifeMs', options.halfLifeMs ?? 3_600_000, true)
    this.priorWeight = checkAmount('priorWeight', options.priorWeight ?? 1, true)
    this.tierWidth = checkAmount('tierWidth', options.tierWidth ?? 0.05)
    this.maxPeers = checkCount('maxPeers', options.maxPeers ?? 50_000, 1, true)
    this.now = options.now ?? Date.now
    this.random = options.random ?? secureRandom
  }

  get size(): number {
    return this.records.size
  }

  has(peerId: string): boolean {
    return this.records.has(peerId)
  }

  peers(): IterableIterator<string> {
    return this.records.keys()
  }

  /** Records what was measured about a peer; the peer becomes known if it was not. */
  observe(peerId: string, observation: Observation): void {
    const o = observation
    if (o.rttMs !== undefined) checkAmount('rttMs', o.rttMs)
    if (o.bandwidthBps !== undefined) checkAmount('bandwidthBps', o.bandwidthBps)
    if (o.freeBytes !== undefined) checkAmount('freeBytes', o.freeBytes)
    if (o.uptimeMs !== undefined) checkAmount('uptimeMs', o.uptimeMs)
    if (o.heartbeat !== undefined) checkChoice('heartbeat', o.heartbeat, ['ok', 'missed'])
    if (o.audit !== undefined) checkChoice('audit', o.audit, ['pass', 'fail'])
    const record = this.recordOf(peerId)
    const series = record.series
    const now = this.now()
    if (o.rttMs !== undefined) series.add(RTT, o.rttMs, now)
    if (o.bandwidthBps !== undefined) series.add(BANDWIDTH, o.bandwidthBps, now)
    if (o.freeBytes !== undefined) series.set(CAPACITY, o.freeBytes, now)
    if (o.uptimeMs !== undefined) series.set(UPTIME, o.uptimeMs, now)
    if (o.heartbeat !== undefined) series.add(HEARTBEAT, o.heartbeat === 'ok' ? 1 : 0, now)
    if (o.audit !== undefined) series.add(AUDIT, o.audit === 'pass' ? 1 : 0, now)
    if (o.group !== undefined && o.group !== record.group) {
      retally(this.groups, record.group, o.group)
      record.group = o.group
    }
    if (o.region !== undefined && o.region !== record.region) {
      retally(this.regions, record.region, o.region)
      record.region = o.region
    }
  }

  /** Forgets a peer and everything observed about it. */
  remove(peerId: string): boolean {
    const record = this.records.get(peerId)
    if (record === undefined) return false
    this.records.delete(peerId)
    retally(this.groups, record.group, undefined)
    retally(this.regions, record.region, undefined)
    return true
  }

  group(peerId: string): string | undefined {
    return this.records.get(peerId)?.group
  }

  region(peerId: string): string | undefined {
    return this.records.get(peerId)?.region
  }

  /**
   * The free bytes the peer last advertised, while that claim is fresh (no older than one
   * half-life); undefined when it never advertised any or its claim went stale.
   */
  freeBytes(peerId: string): number | undefined {
    const s = this.records.get(peerId)?.series
    if (s === undefined || s.weight(CAPACITY) * s.decayAt(this.now()) < 0.5) return undefined
    return s.value(CAPACITY)
  }

  /** Each factor in [0, 1]; an unknown peer gets the neutral prior everywhere. */
  factors(peerId: string): ScoreFactors {
    const record = this.records.get(peerId)
    return record === undefined ? neutralFactors() : this.factorsOf(record, this.now())
  }

  /** The weighted mean of the factors, in [0, 1]. */
  score(peerId: string): number {
    return weightedScore(this.factors(peerId), this.weights)
  }

  /**
   * Up to n known peers for placement or pairing: random among the best tier, never two in one
   * group (or region) while another remains. Fewer than n only when fewer peers are eligible.
   */
  select(n: number, options: SelectOptions = {}): string[] {
    checkCount('n', n, 0)
    const diversity = checkChoice('diversity', options.diversity ?? 'group', DIVERSITIES)
    const tierWidth = checkAmount('tierWidth', options.tierWidth ?? this.tierWidth)
    const excluded = new Set(options.exclude ?? [])
    const candidates: Candidate[] = []
    const now = this.now()
    for (const [id, record] of this.records) {
      if (excluded.has(id) || (options.filter !== undefined && !options.filter(id))) continue
      const label = diversity === 'group' ? record.group : diversity === 'region' ? record.region : undefined
      candidates.push({
        id,
        score: weightedScore(this.factorsOf(record, now), this.weights),
        spread: label === undefined ? `\0${id}` : `:${label}`
      })
    }
    return pickSpread(candidates, n, tierWidth, options.random ?? this.random)
  }

  /** Everything observed, least recently observed peer first. */
  snapshot(): ScorerSnapshot {
    const peers: PeerSnapshot[] = []
    for (const [id, record] of this.records) {
      const { at, sums, weights } = record.series.state()
      if (at === Number.NEGATIVE_INFINITY) continue
      peers.push({
        id,
        ...(record.group !== undefined ? { group: record.group } : {}),
        ...(record.region !== undefined ? { region: record.region } : {}),
        at,
        sums,
        weights
      })
    }
    return { version: 1, peers }
  }

  /**
   * Takes back a `snapshot()` (of this or an earlier run): the peers it names are known again with
   * their evidence, which has kept fading since it was taken. Checked whole before anything is
   * taken, so a damaged snapshot changes nothing; peers observed already keep what they have.
   */
  restore(snapshot: ScorerSnapshot): number {
    const peers = checkSnapshot(snapshot, this.maxPeers)
    let restored = 0
    for (const p of peers) {
      if (this.records.has(p.id)) continue
      const record = this.recordOf(p.id)
      record.series = DecayingSeries.from(p, this.halfLifeMs)
      if (p.group !== undefined) this.observe(p.id, { group: p.group })
      if (p.region !== undefined) this.observe(p.id, { region: p.region })
      restored++
    }
    return restored
  }

  private factorsOf(record: PeerRecord, now: number): ScoreFactors {
    const s = record.series
    const d = s.decayAt(now)
    const c = this.priorWeight
    const ref = this.references
    const heartbeat = blend(s.weight(HEARTBEAT) * d, s.value(HEARTBEAT), c)
    const uptime = blend(s.weight(UPTIME) * d, saturating(s.value(UPTIME), ref.uptimeMs), c)
    return {
      latency: blend(s.weight(RTT) * d, ref.rttMs / (ref.rttMs + s.value(RTT)), c),
      bandwidth: blend(s.weight(BANDWIDTH) * d, saturating(s.value(BANDWIDTH), ref.bandwidthBps), c),
      capacity: blend(s.weight(CAPACITY) * d, saturating(s.value(CAPACITY), ref.freeBytes), c),
      stability: (2 * heartbeat + uptime) / 3,
      audit: blend(s.weight(AUDIT) * d, s.value(AUDIT), c),
      diversity: this.diversityOf(record)
    }
  }

  private recordOf(peerId: string): PeerRecord {
    let record = this.records.get(peerId)
    if (record !== undefined) {
      this.records.delete(peerId)
    } else {
      record = {
        group: undefined,
        region: undefined,
        series: new DecayingSeries(SERIES_COUNT, this.halfLifeMs)
      }
      if (this.records.size >= this.maxPeers) this.remove(this.records.keys().next().value!)
    }
    this.records.set(peerId, record)
    return record
  }

  /** 1 / (peers sharing the group), and for a region, 1 minus the share of others in it. */
  private diversityOf(record: PeerRecord): number {
    const group = record.group === undefined ? NEUTRAL : 1 / this.groups.get(record.group)!
    if (record.region === undefined) return group
    const others = this.records.size - 1
    const sameRegion = this.regions.get(record.region)! - 1
    return (group + (others === 0 ? 1 : 1 - sameRegion / others)) / 2
  }
}

function checkSnapshot(snapshot: ScorerSnapshot, maxPeers: number): PeerSnapshot[] {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`scorer snapshot: ${why}`)
  }
  if (typeof snapshot !== 'object' || snapshot === null) bad('not an object')
  if (snapshot.version !== 1) bad(`version ${String(snapshot.version)} is not 1`)
  if (!Array.isArray(snapshot.peers)) bad('peers is not a list')
  if (snapshot.peers.length > maxPeers) bad(`${snapshot.peers.length} peers, at most ${maxPeers}`)
  const label = (v: unknown, name: string): void => {
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > MAX_LABEL))
      bad(`${name} must be a string of 1 to ${MAX_LABEL} characters`)
  }
  const amounts = (v: unknown, name: string): void => {
    const ok = Array.isArray(v) && v.length === SERIES_COUNT && v.every((x) => Number.isFinite(x) && x >= 0)
    if (!ok) bad(`${name} must be ${SERIES_COUNT} finite numbers >= 0`)
  }
  for (const p of snapshot.peers) {
    if (typeof p !== 'object' || p === null) bad('a peer is not an object')
    if (typeof p.id !== 'string' || p.id.length === 0 || p.id.length > MAX_LABEL)
      bad('a peer has no valid id')
    label(p.group, 'group')
    label(p.region, 'region')
    if (!Number.isFinite(p.at)) bad(`peer ${p.id}: at must be a finite time`)
    amounts(p.sums, `peer ${p.id}: sums`)
    amounts(p.weights, `peer ${p.id}: weights`)
  }
  return snapshot.peers
}

function neutralFactors(): ScoreFactors {
  const n = NEUTRAL
  return { latency: n, bandwidth: n, capacity: n, stability: n, audit: n, diversity: n }
}

function retally(counts: Map<string, number>, from: string | undefined, to: string | undefined): void {
  if (from !== undefined) tally(counts, from, -1)
  if (to !== undefined) tally(counts, to, 1)
}
