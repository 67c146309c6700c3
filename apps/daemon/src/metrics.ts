// Prometheus metrics of one daemon. A Registry per daemon (not prom-client's global one), so two
// daemons in one process (tests, embedding) never mix their numbers. Counters are fed as requests
// and transfers happen; gauges are read from the node at scrape time, so they are never stale.
import {
  type DefsNode,
  type GetResult,
  type LeaseService,
  type NodePairing,
  type NodeStatus,
  type RepairService,
  type TaskRecord,
  userMirrors
} from '@defs/node'
import type { PairHealth } from '@defs/pairing'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { migrationsOf } from './http/pair-routes.ts'
import { type TaskKindRates, ThroughputHistory } from './throughput.ts'

const taskStates: TaskRecord['state'][] = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled']
const taskKinds: TaskRecord['kind'][] = ['upload', 'download', 'repair', 'migrate']
const pairHealths: PairHealth[] = [
  'unpaired',
  'alive',
  'suspect',
  'silent',
  'maintenance',
  'overdue',
  'failed',
  'isolated'
]
const lifecycleStates: NodeStatus['state'][] = ['running', 'maintenance', 'draining', 'stopped']

export class DaemonMetrics {
  readonly registry = new Registry()
  /** The last hour of throughput, for the dashboard's charts. */
  readonly throughput = new ThroughputHistory()
  #receivedBytes = 0
  #servedBytes = 0
  readonly #storedBytes: Gauge
  readonly #storedShards: Gauge
  readonly #quotaBytes: Gauge
  readonly #peers: Gauge
  readonly #tasks: Gauge<'state'>
  readonly #lifecycle: Gauge<'state'>
  readonly #stateSince: Gauge
  readonly #rate: Gauge<'kind'>
  readonly #mirrorLag: Gauge<'user'>
  readonly #mirrorSeq: Gauge<'user'>
  readonly #mirrorToCopy: Gauge<'user'>
  readonly #mirrorFiles: Gauge<'user' | 'of'>
  readonly #received: Counter
  readonly #served: Counter
  readonly #errors: Counter<'kind'>
  readonly #slicesRead: Counter
  readonly #slicesReconstructed: Counter
  readonly #audits: Counter<'result'>
  readonly #repairedSlices: Counter
  readonly #repairedShards: Counter
  readonly #repairReports: Counter
  readonly #collectedShards: Counter
  readonly #collectedBytes: Counter
  readonly #requests: Counter<'method' | 'route' | 'status'>
  readonly #duration: Histogram<'route'>
  readonly #pairHealth: Gauge<'health'>
  readonly #pairEpoch: Gauge
  readonly #pairRtt: Gauge
  readonly #pairPhi: Gauge
  readonly #pairBacklog: Gauge
  readonly #pairMigrations: Gauge
  readonly #pairAcks: Counter
  /** Failed tasks already counted, so each failure is one increment however often we scrape. */
  readonly #failedSeen = new Set<string>()

  constructor() {
    const registers = [this.registry]
    this.#storedBytes = new Gauge({
      name: 'defs_stored_bytes',
      help: 'Bytes of shards this node stores',
      registers
    })
    this.#storedShards = new Gauge({ name: 'defs_stored_shards', help: 'Shards this node stores', registers })
    this.#quotaBytes = new Gauge({
      name: 'defs_quota_bytes',
      help: 'Bytes of shards this node may store (maxStorage)',
      registers
    })
    this.#peers = new Gauge({ name: 'defs_peers', help: 'Peers connected now', registers })
    this.#mirrorLag = new Gauge({
      name: 'defs_mirror_lag_roots',
      help: 'Roots a mirrored user is behind their home, as last asked (user: the user id)',
      labelNames: ['user'],
      registers
    })
    this.#mirrorSeq = new Gauge({
      name: 'defs_mirror_seq',
      help: 'Root seq held here for a mirrored user',
      labelNames: ['user'],
      registers
    })
    this.#mirrorToCopy = new Gauge({
      name: 'defs_mirror_bytes_to_copy',
      help: 'Shard bytes a mirrored user’s running (or last cut-off) sync still has to copy',
      labelNames: ['user'],
      registers
    })
    this.#mirrorFiles = new Gauge({
      name: 'defs_mirror_sync_files',
      help: 'While a mirror sync runs: files it has done (of="done") and has to copy (of="total")',
      labelNames: ['user', 'of'],
      registers
    })
    this.#tasks = new Gauge({ name: 'defs_tasks', help: 'Tasks by state', labelNames: ['state'], registers })
    this.#lifecycle = new Gauge({
      name: 'defs_node_state',
      help: 'The node lifecycle state: 1 for the current one (running, maintenance, draining, stopped)',
      labelNames: ['state'],
      registers
    })
    this.#stateSince = new Gauge({
      name: 'defs_node_state_since_seconds',
      help: 'Seconds since the node entered its current lifecycle state',
      registers
    })
    this.#rate = new Gauge({
      name: 'defs_transfer_rate_bytes_per_second',
      help: 'Current transfer rate of running tasks, by task kind',
      labelNames: ['kind'],
      registers
    })
    this.#pairHealth = new Gauge({
      name: 'defs_pair_state',
      help: 'The pair as this node judges it: 1 for the current one (unpaired, alive, suspect, silent, maintenance, overdue, failed, isolated)',
      labelNames: ['health'],
      registers
    })
    this.#pairEpoch = new Gauge({
      name: 'defs_pair_epoch',
      help: 'The highest pairing epoch this node signed',
      registers
    })
    this.#pairRtt = new Gauge({
      name: 'defs_pair_heartbeat_rtt_seconds',
      help: 'Round-trip time of the last heartbeat the partner answered',
      registers
    })
    this.#pairPhi = new Gauge({ name: 'defs_pair_phi', help: "Phi of the partner's silence now", registers })
    this.#pairBacklog = new Gauge({
      name: 'defs_pair_sync_backlog',
      help: 'What the partner is known to lack until the pair syncs: shards acknowledged with one copy, in shards and in bytes',
      labelNames: ['unit'],
      registers
    })
    this.#pairMigrations = new Gauge({
      name: 'defs_pair_migrations',
      help: 'Migrate tasks (the copy to a new partner, or a sync) queued, running or paused',
      registers
    })
    this.#pairAcks = new Counter({
      name: 'defs_pair_acknowledged_total',
      help: 'Shards put to this paired node, by the durable copies their acknowledgement named (2, or 1 while the partner did not answer)',
      labelNames: ['copies'],
      registers
    })
    this.#received = new Counter({
      name: 'defs_received_bytes_total',
      help: 'File bytes received by uploads through the API',
      registers
    })
    this.#served = new Counter({
      name: 'defs_served_bytes_total',
      help: 'File bytes served by downloads through the API',
      registers
    })
    this.#slicesRead = new Counter({
      name: 'defs_slices_read_total',
      help: 'Slices read by downloads through the API',
      registers
    })
    this.#slicesReconstructed = new Counter({
      name: 'defs_slices_reconstructed_total',
      help: 'Slices of those that needed parity shards (a data shard was lost or bad)',
      registers
    })
    this.#errors = new Counter({
      name: 'defs_errors_total',
      help: 'Errors by kind (error name)',
      labelNames: ['kind'],
      registers
    })
    this.#audits = new Counter({
      name: 'defs_audits_total',
      help: 'Audits this node ran as a repairer, by result (pass, fail, contained)',
      labelNames: ['result'],
      registers
    })
    this.#repairedSlices = new Counter({
      name: 'defs_repaired_slices_total',
      help: 'Slices this node repaired (their missing shards rebuilt and placed)',
      registers
    })
    this.#repairedShards = new Counter({
      name: 'defs_repaired_shards_total',
      help: 'Shards this node rebuilt (or copied) and placed',
      registers
    })
    this.#repairReports = new Counter({
      name: 'defs_repair_reports_total',
      help: 'Reads reporting a slice of a file this node keeps as ill',
      registers
    })
    this.#collectedShards = new Counter({
      name: 'defs_collected_shards_total',
      help: 'Shards the lease collector removed (their lease ran out a grace period ago)',
      registers
    })
    this.#collectedBytes = new Counter({
      name: 'defs_collected_bytes_total',
      help: 'Bytes on disk freed by the lease collector',
      registers
    })
    this.#requests = new Counter({
      name: 'defs_http_requests_total',
      help: 'API requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers
    })
    this.#duration = new Histogram({
      name: 'defs_http_request_duration_seconds',
      help: 'API request duration by route',
      labelNames: ['route'],
      buckets: [0.005, 0.025, 0.1, 0.5, 2, 10, 60],
      registers
    })
    for (const result of ['pass', 'fail', 'contained']) this.#audits.inc({ result }, 0)
    for (const copies of ['1', '2']) this.#pairAcks.inc({ copies }, 0)
    for (const state of taskStates) this.#tasks.set({ state }, 0)
    for (const kind of taskKinds) this.#rate.set({ kind }, 0)
    collectDefaultMetrics({ register: this.registry })
  }

  received(bytes: number): void {
    this.#received.inc(bytes)
    this.#receivedBytes += bytes
  }

  served(bytes: number): void {
    this.#served.inc(bytes)
    this.#servedBytes += bytes
  }

  /** Takes a throughput sample: the running tasks' rates by kind and the API's bytes since the last. */
  sampleThroughput(node: DefsNode): void {
    this.throughput.record(taskRates(node), { received: this.#receivedBytes, served: this.#servedBytes })
  }

  /** A download through the API finished: what it read and what it had to rebuild. */
  read(result: GetResult): void {
    this.#slicesRead.inc(result.slicesRead)
    this.#slicesReconstructed.inc(result.slicesReconstructed)
  }

  error(kind: string): void {
    this.#errors.inc({ kind })
  }

  request(method: string, route: string, status: number, seconds: number): void {
    this.#requests.inc({ method, route, status: String(status) })
    this.#duration.observe({ route }, seconds)
  }

  /** Counts what the node's repair service does: audits by result, slices and shards repaired, reports. */
  /** Counts the acknowledgements of shards put to this node by their copies (a paired node's). */
  watchPairAcks(node: Pick<DefsNode, 'events'>): void {
    node.events.addEventListener('pair:acknowledged', (e) =>
      this.#pairAcks.inc({ copies: String(e.detail.copies) })
    )
  }

  watchRepair(repair: Pick<RepairService, 'addEventListener'>): void {
    repair.addEventListener('audit', (e) => this.#audits.inc({ result: e.detail.result }))
    repair.addEventListener('repaired', (e) => {
      if (e.detail.placed.length === 0) return
      this.#repairedSlices.inc()
      this.#repairedShards.inc(e.detail.holders.flat().length)
    })
    repair.addEventListener('report', () => this.#repairReports.inc())
  }

  /** Counts what the node's lease collector removes: shards and the bytes they freed. */
  watchLeases(leases: Pick<LeaseService, 'addEventListener'>): void {
    leases.addEventListener('collected', (e) => {
      if (e.detail.bytes === 0) return
      this.#collectedShards.inc()
      this.#collectedBytes.inc(e.detail.bytes)
    })
  }

  /** Reads the node's gauges; called right before each scrape. */
  async refresh(node: DefsNode): Promise<void> {
    const status = await node.status()
    this.#storedBytes.set(status.storedBytes)
    this.#storedShards.set(status.storedShards)
    this.#quotaBytes.set(status.maxStorage)
    this.#peers.set(status.peers)
    for (const state of taskStates) this.#tasks.set({ state }, status.tasks[state] ?? 0)
    for (const state of lifecycleStates) this.#lifecycle.set({ state }, state === status.state ? 1 : 0)
    this.#stateSince.set(Math.max(0, (Date.now() - status.stateSince) / 1000))
    for (const task of node.tasks.list()) {
      if (task.state === 'failed' && !this.#failedSeen.has(task.id)) {
        this.#failedSeen.add(task.id)
        this.error(`${task.kind}_task_failed`)
      }
    }
    for (const [kind, rate] of Object.entries(taskRates(node))) this.#rate.set({ kind }, rate)
    // A node handed in by a test may have no mirror service.
    const mirrors = (() => {
      try {
        return userMirrors(node).status()
      } catch {
        return []
      }
    })()
    for (const g of [this.#mirrorLag, this.#mirrorSeq, this.#mirrorToCopy, this.#mirrorFiles]) g.reset()
    for (const m of mirrors) {
      this.#mirrorLag.set({ user: m.user }, m.lag)
      this.#mirrorSeq.set({ user: m.user }, m.seq)
      if (m.bytesToCopy !== undefined) this.#mirrorToCopy.set({ user: m.user }, m.bytesToCopy)
      if (m.progress !== undefined) {
        this.#mirrorFiles.set({ user: m.user, of: 'done' }, m.progress.filesDone)
        this.#mirrorFiles.set({ user: m.user, of: 'total' }, m.progress.filesTotal)
      }
    }
    const pairing = (node.services as { pairing?: NodePairing } | undefined)?.pairing
    if (pairing !== undefined) {
      const pair = pairing.service.status()
      for (const health of pairHealths) this.#pairHealth.set({ health }, health === pair.health ? 1 : 0)
      this.#pairEpoch.set(pair.epoch)
      this.#pairPhi.set(Number.isFinite(pair.phi) ? pair.phi : 0)
      if (pair.rttMs !== undefined) this.#pairRtt.set(pair.rttMs / 1000)
      const backlog = pairing.backlog()
      this.#pairBacklog.set({ unit: 'shards' }, backlog.shards)
      this.#pairBacklog.set({ unit: 'bytes' }, backlog.bytes)
      this.#pairMigrations.set(migrationsOf(node).length)
    }
  }

  get contentType(): string {
    return this.registry.contentType
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }
}

/** Bytes per second of the running tasks, summed by kind. */
function taskRates(node: DefsNode): TaskKindRates {
  const rates = Object.fromEntries(taskKinds.map((kind) => [kind, 0])) as TaskKindRates
  for (const task of node.tasks.list()) if (task.state === 'running') rates[task.kind] += task.progress.rate
  return rates
}
