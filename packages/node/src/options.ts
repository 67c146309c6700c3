// createNode's options: defaults that are safe for a single user on one machine, and a check of
// every option that names it, so a typo in a config file fails at start, not mid-upload.
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MIRROR_INTERVAL_MS } from '@defs/mirror'
import type { HostOptions, NatOptions } from '@defs/net'
import { type StorageModeChoice, storageModeChoices } from '@defs/segment'
import { InvalidOptionError } from './errors.ts'
import {
  checkServiceOptions,
  leaseOptionNames,
  type NodeServiceOptions,
  pairOptionNames,
  repairOptionNames,
  type ServiceOptionName,
  serviceOptionsOf
} from './service-options.ts'

/**
 * The options of the node and of its built-in services it keeps in its config (see
 * service-options.ts: repairCheckInterval, repairBandwidth, repairAudits, leaseDuration,
 * leaseGrace, pairFailureTimeout, pairMaintenanceMax, pairMigrationBandwidth; unset, each service's own default).
 */
export interface NodeOptions extends NodeServiceOptions {
  /** The node's own directory (identity, config, stores). Required. */
  dataDir: string
  /** How files are stored: whole-object replicas, replicated slices, or Reed-Solomon. */
  storageMode?: StorageModeChoice
  /** k: data shards per slice (1-100). */
  dataShards?: number
  /** m: parity shards per slice (1-100); k + m <= 256. Any m shards of a slice may be lost. */
  parityShards?: number
  maxSliceSize?: number
  minSliceSize?: number
  /** Shard size for `rs-size` mode (k grows with the slice). */
  shardSize?: number
  /** Interface to listen on. Default 127.0.0.1 (this machine only); '0.0.0.0' serves other machines. */
  host?: string
  /** TCP port to listen on, 0 for any free one. */
  port?: number
  /** WebSocket port (on `host`) for browsers and other WebSocket peers, 0 for any free one. */
  wsPort?: number
  /** Multiaddrs of nodes to join through. */
  bootstrap?: string[]
  /** Peer ids this node trusts (its operator's own nodes): no stranger quotas, placed on first. */
  trustedPeers?: string[]
  /** How long a peer must be connected before it is known rather than a stranger, ms. */
  probationMs?: number
  /** Multiaddrs to tell peers instead of the listen addresses (behind a NAT, a proxy, a port forward). */
  announce?: string[]
  maxConnections?: number
  /** Milliseconds before a dial is given up. */
  dialTimeout?: number
  logDir?: string
  /** Concurrent tasks (uploads, downloads, repairs). */
  workerNum?: number
  /** Bytes of file data a transfer may hold in memory at once. */
  bufferSize?: number
  /** Bytes this node may use on disk: stored shards, metadata and logs together. */
  maxStorage?: number
  /** Bytes of free disk the node keeps: stores are refused (not the disk filled) below it. */
  minFreeDisk?: number
  /** Milliseconds a finished (done, failed, cancelled) task is kept before it is pruned. */
  taskRetention?: number
  /**
   * Milliseconds between syncs of each user this node mirrors (default 60 s; after a failed sync
   * the next try comes 5 s later). 0: no timer, a mirror syncs only when `defs mirror add` asks.
   */
  mirrorInterval?: number
  /**
   * NAT traversal, all off by default: serve as a circuit relay, dial and listen through relays
   * (shards then also travel over relayed connections), upgrade them to direct ones (DCUtR),
   * ask peers which of our addresses are dialable (AutoNAT).
   */
  nat?: NatOptions
  /** libp2p's metrics implementation (the daemon passes a Prometheus one); not persisted. */
  libp2pMetrics?: HostOptions['metrics']
}

/** Resolved: every node option has its value; a service option left unset stays so (its service's default). */
export type ResolvedNodeOptions = Required<Omit<NodeOptions, 'libp2pMetrics' | ServiceOptionName>> &
  Pick<NodeOptions, 'libp2pMetrics' | ServiceOptionName>

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const DAY = 24 * 3600_000

/**
 * In file mode a slice is sealed into one shard, and a peer takes shards of at most 64 MiB (net's
 * maxShardSize; a test checks the two agree): so no slice may be larger.
 */
export const MAX_SLICE_SIZE = 64 * MiB

/** Every option createNode takes; anything else (a typo such as `dataShard`) is refused. */
export const optionNames = [
  'dataDir',
  'storageMode',
  'dataShards',
  'parityShards',
  'maxSliceSize',
  'minSliceSize',
  'shardSize',
  'host',
  'port',
  'wsPort',
  'bootstrap',
  'announce',
  'trustedPeers',
  'probationMs',
  'maxConnections',
  'dialTimeout',
  'logDir',
  'workerNum',
  'bufferSize',
  'maxStorage',
  'minFreeDisk',
  'taskRetention',
  'mirrorInterval',
  ...repairOptionNames,
  ...leaseOptionNames,
  ...pairOptionNames,
  'nat',
  'libp2pMetrics'
] as const satisfies readonly (keyof NodeOptions)[]

export function resolveNodeOptions(options: NodeOptions): ResolvedNodeOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `must be an object, got ${String(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (!(optionNames as readonly string[]).includes(key)) {
      const near = optionNames.find((n) => n.toLowerCase().startsWith(key.toLowerCase().slice(0, 6)))
      throw new InvalidOptionError(
        key,
        `is not an option${near === undefined ? '' : `; did you mean ${near}?`} (options: ${optionNames.join(', ')})`
      )
    }
  }
  if (typeof options.dataDir !== 'string' || options.dataDir.length === 0) {
    throw new InvalidOptionError(
      'dataDir',
      `must be a directory path, got ${JSON.stringify(options.dataDir)}`
    )
  }
  const maxSliceSize = options.maxSliceSize ?? 64 * MiB
  const o: ResolvedNodeOptions = {
    dataDir: options.dataDir,
    storageMode: options.storageMode ?? 'auto',
    dataShards: options.dataShards ?? 10,
    parityShards: options.parityShards ?? 4,
    maxSliceSize,
    minSliceSize: options.minSliceSize ?? 1 * MiB,
    shardSize: options.shardSize ?? Math.min(1 * MiB, maxSliceSize),
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    wsPort: options.wsPort ?? 0,
    bootstrap: options.bootstrap ?? [],
    announce: options.announce ?? [],
    trustedPeers: options.trustedPeers ?? [],
    probationMs: options.probationMs ?? 10 * 60_000,
    maxConnections: options.maxConnections ?? 300,
    dialTimeout: options.dialTimeout ?? 10_000,
    logDir: options.logDir ?? join(options.dataDir, 'logs'),
    workerNum: options.workerNum ?? Math.min(4, availableParallelism()),
    bufferSize: options.bufferSize ?? 64 * MiB,
    maxStorage: options.maxStorage ?? 10 * GiB,
    minFreeDisk: options.minFreeDisk ?? 256 * MiB,
    taskRetention: options.taskRetention ?? 7 * DAY,
    mirrorInterval: options.mirrorInterval ?? DEFAULT_MIRROR_INTERVAL_MS,
    nat: options.nat ?? {},
    libp2pMetrics: options.libp2pMetrics,
    ...serviceOptionsOf(options)
  }
  if (!(storageModeChoices as readonly string[]).includes(o.storageMode)) {
    throw new InvalidOptionError(
      'storageMode',
      `must be one of ${storageModeChoices.join(', ')}, got ${JSON.stringify(o.storageMode)}`
    )
  }
  integer('dataShards', o.dataShards, 1, 100)
  // Each at most 100, so k + m <= 256 (the GF(2^8) limit) always holds.
  integer('parityShards', o.parityShards, 1, 100)
  integer('minSliceSize', o.minSliceSize, 1, MAX_SLICE_SIZE)
  // A peer takes shards of at most 64 MiB, and in file mode a slice is one shard.
  integer('maxSliceSize', o.maxSliceSize, 1, MAX_SLICE_SIZE)
  if (o.minSliceSize > o.maxSliceSize) {
    throw new InvalidOptionError(
      'minSliceSize',
      `must be <= maxSliceSize (${o.maxSliceSize}), got ${o.minSliceSize}`
    )
  }
  integer('shardSize', o.shardSize, 1, o.maxSliceSize)
  if (typeof o.host !== 'string' || !/^[0-9a-fA-F.:]+$/.test(o.host)) {
    throw new InvalidOptionError('host', `must be an IP address to listen on, got ${JSON.stringify(o.host)}`)
  }
  integer('port', o.port, 0, 65535)
  integer('wsPort', o.wsPort, 0, 65535)
  multiaddrs('bootstrap', o.bootstrap)
  multiaddrs('announce', o.announce)
  if (
    !Array.isArray(o.trustedPeers) ||
    o.trustedPeers.some((p) => typeof p !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{46,60}$/.test(p))
  ) {
    throw new InvalidOptionError(
      'trustedPeers',
      `must be a list of peer ids like 12D3KooW..., got ${JSON.stringify(o.trustedPeers)}`
    )
  }
  integer('probationMs', o.probationMs, 0, Number.MAX_SAFE_INTEGER)
  integer('maxConnections', o.maxConnections, 1, 100_000)
  integer('dialTimeout', o.dialTimeout, 100, 600_000)
  if (typeof o.logDir !== 'string' || o.logDir.length === 0) {
    throw new InvalidOptionError('logDir', `must be a directory path, got ${JSON.stringify(o.logDir)}`)
  }
  integer('workerNum', o.workerNum, 1, 64)
  integer('bufferSize', o.bufferSize, 1 * MiB, 16 * GiB)
  integer('maxStorage', o.maxStorage, 0, Number.MAX_SAFE_INTEGER)
  integer('minFreeDisk', o.minFreeDisk, 0, Number.MAX_SAFE_INTEGER)
  integer('taskRetention', o.taskRetention, 0, Number.MAX_SAFE_INTEGER)
  // A timer longer than a day leaves a mirror that far behind; setTimeout takes at most ~24.8 days.
  integer('mirrorInterval', o.mirrorInterval, 0, DAY)
  checkServiceOptions(o)
  const natKeys = ['relayServer', 'relayClient', 'holePunching', 'autoNat']
  if (
    typeof o.nat !== 'object' ||
    o.nat === null ||
    Object.entries(o.nat).some(([k, v]) => !natKeys.includes(k) || typeof v !== 'boolean')
  ) {
    throw new InvalidOptionError(
      'nat',
      `must be an object of booleans ${natKeys.join(', ')}, got ${JSON.stringify(o.nat)}`
    )
  }
  return o
}

/** The code of one put, checked as the node options are: k and m each 1..100. */
export function checkCode(dataShards: number | undefined, parityShards: number | undefined): void {
  if (dataShards !== undefined) integer('dataShards', dataShards, 1, 100)
  if (parityShards !== undefined) integer('parityShards', parityShards, 1, 100)
}

function multiaddrs(name: string, value: unknown): void {
  if (!Array.isArray(value) || value.some((a) => typeof a !== 'string' || !a.startsWith('/'))) {
    throw new InvalidOptionError(
      name,
      `must be a list of multiaddrs like /ip4/127.0.0.1/tcp/4001/p2p/12D3..., got ${JSON.stringify(value)}`
    )
  }
}

/** Throws InvalidOptionError naming `name` unless `value` is an integer in min..max. */
export function integer(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`)
  }
}
