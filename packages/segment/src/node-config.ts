// The node's persisted config: its options plus a schema version, with migrations from older
// layouts. Ranges match @defs/node's option checks, so a config that decodes also starts a node.
// Field keys are one CBOR byte (1..23) and schema 1 used them all: schema 2 keeps keys 1..22 and
// puts the tuning (probation, mirror interval, the built-in services' options) in a record under
// key 23. NodeConfig stays flat; only the bytes nest.

import { decodeWith, encodeWith } from './codec.ts'
import { ConfigError, EncodeError, UnknownVersionError } from './errors.ts'
import { limits } from './limits.ts'
import { type StorageModeChoice, storageModeChoices } from './manifest.ts'
import { bool, list, oneOf, refine, text, uint } from './schema.ts'
import { type Field, struct } from './struct.ts'

export const CONFIG_SCHEMA_VERSION = 2

export interface NodeConfig {
  schemaVersion: number
  storageMode: StorageModeChoice
  dataShards: number
  parityShards: number
  maxSliceSize: number
  minSliceSize: number
  shardSize: number
  /** TCP port, 0 for any free one. */
  port: number
  /** Multiaddrs of nodes to join through. */
  bootstrap: string[]
  maxConnections: number
  /** Milliseconds before a dial is given up. */
  dialTimeout: number
  dataDir: string
  logDir: string
  /** Concurrent tasks. */
  workerNum: number
  /** Bytes of file data a transfer may hold in memory. */
  bufferSize: number
  /** Bytes of shards this node stores for others. */
  maxStorage: number
  /** Interface libp2p listens on (an IP address). */
  host?: string
  /** Multiaddrs to announce instead of the listen addresses (a node behind a NAT or a proxy). */
  announce?: string[]
  /** Bytes of free disk the node keeps: stores are refused below it. */
  minFreeDisk?: number
  /** Milliseconds a finished task is kept before it is pruned. */
  taskRetention?: number
  /** WebSocket port on the same interface (what browsers dial), 0 for any free one. */
  wsPort?: number
  /** NAT traversal: which of relay server, relay client, hole punching and AutoNAT are on. */
  nat?: NatConfig
  /** Peer ids this node trusts. */
  trustedPeers?: string[]
  /** How long a peer is a stranger after it first connects, ms. */
  probationMs?: number
  /** Milliseconds between syncs of each mirrored user, 0 for none but on request. */
  mirrorInterval?: number
  // The built-in services' options (unset: the service's default), as @defs/node checks them.
  /** Milliseconds between two health checks of the files held. */
  repairCheckInterval?: number
  /** Bytes per second all repairs may move. */
  repairBandwidth?: number
  /** Whether a file's repairer audits its holders. */
  repairAudits?: boolean
  /** Milliseconds a claim is kept past its last renewal. */
  leaseDuration?: number
  /** Milliseconds past a lease's expiry before its claim is collected. */
  leaseGrace?: number
  /** Milliseconds of a partner's silence before it is failed over. */
  pairFailureTimeout?: number
  /** Milliseconds a partner in maintenance is not failed over. */
  pairMaintenanceMax?: number
  /** Bytes per second the copy to a new partner may move. */
  pairMigrationBandwidth?: number
}

export interface NatConfig {
  relayServer?: boolean
  relayClient?: boolean
  holePunching?: boolean
  autoNat?: boolean
}

const natSchema = struct<NatConfig>([
  { key: 1, name: 'relayServer', schema: bool, optional: true },
  { key: 2, name: 'relayClient', schema: bool, optional: true },
  { key: 3, name: 'holePunching', schema: bool, optional: true },
  { key: 4, name: 'autoNat', schema: bool, optional: true }
])

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const DAY = 24 * 3600_000
const YEAR = 365 * DAY
const path = refine(text(limits.maxPathBytes), (p) => (p.length > 0 ? undefined : 'must be a directory path'))
const multiaddr = refine(text(limits.maxMultiaddrBytes), (a) =>
  a.startsWith('/') ? undefined : 'must be a multiaddr'
)

/** Keys 1..22: the same in schema 1 and 2. */
const baseFields: Field[] = [
  { key: 1, name: 'storageMode', schema: oneOf(storageModeChoices) },
  { key: 2, name: 'dataShards', schema: uint(1, 100) },
  { key: 3, name: 'parityShards', schema: uint(1, 100) },
  { key: 4, name: 'maxSliceSize', schema: uint(1, 4 * GiB) },
  { key: 5, name: 'minSliceSize', schema: uint(1, 4 * GiB) },
  { key: 6, name: 'shardSize', schema: uint(1, 4 * GiB) },
  { key: 7, name: 'port', schema: uint(0, 65535) },
  { key: 8, name: 'bootstrap', schema: list(multiaddr, 0, limits.maxBootstrap) },
  { key: 9, name: 'maxConnections', schema: uint(1, 100_000) },
  { key: 10, name: 'dialTimeout', schema: uint(100, 600_000) },
  { key: 11, name: 'dataDir', schema: path },
  { key: 12, name: 'logDir', schema: path },
  { key: 13, name: 'workerNum', schema: uint(1, 64) },
  { key: 14, name: 'bufferSize', schema: uint(1 * MiB, 16 * GiB) },
  { key: 15, name: 'maxStorage', schema: uint() },
  { key: 16, name: 'host', schema: text(64), optional: true },
  { key: 17, name: 'announce', schema: list(multiaddr, 0, limits.maxBootstrap), optional: true },
  { key: 18, name: 'minFreeDisk', schema: uint(), optional: true },
  { key: 19, name: 'taskRetention', schema: uint(), optional: true },
  { key: 20, name: 'wsPort', schema: uint(0, 65535), optional: true },
  { key: 21, name: 'nat', schema: natSchema, optional: true },
  {
    key: 22,
    name: 'trustedPeers',
    schema: list(text(limits.maxPeerIdTextBytes), 0, limits.maxBootstrap),
    optional: true
  }
]

/** Everything a config holds under key 23 in schema 2 (each optional; unset, the default applies). */
const tuningNames = [
  'probationMs',
  'mirrorInterval',
  'repairCheckInterval',
  'repairBandwidth',
  'repairAudits',
  'leaseDuration',
  'leaseGrace',
  'pairFailureTimeout',
  'pairMaintenanceMax',
  'pairMigrationBandwidth'
] as const
type Tuning = Pick<NodeConfig, (typeof tuningNames)[number]>

const tuningSchema = struct<Tuning>([
  { key: 1, name: 'probationMs', schema: uint(), optional: true },
  { key: 2, name: 'mirrorInterval', schema: uint(0, DAY), optional: true },
  { key: 3, name: 'repairCheckInterval', schema: uint(100, DAY), optional: true },
  { key: 4, name: 'repairBandwidth', schema: uint(64 * 1024), optional: true },
  { key: 5, name: 'repairAudits', schema: bool, optional: true },
  { key: 6, name: 'leaseDuration', schema: uint(400, YEAR), optional: true },
  { key: 7, name: 'leaseGrace', schema: uint(0, YEAR), optional: true },
  // @defs/pairing sets no upper bound; it checks them against each other and its suspicion
  { key: 8, name: 'pairFailureTimeout', schema: uint(1), optional: true },
  { key: 9, name: 'pairMaintenanceMax', schema: uint(1), optional: true },
  { key: 10, name: 'pairMigrationBandwidth', schema: uint(64 * 1024), optional: true }
])

function checkConfig(c: NodeConfig): string | undefined {
  if (c.dataShards + c.parityShards > 256) return `dataShards + parityShards must be <= 256`
  if (c.minSliceSize > c.maxSliceSize) return `minSliceSize (${c.minSliceSize}) must be <= maxSliceSize`
  if (c.shardSize > c.maxSliceSize) return `shardSize (${c.shardSize}) must be <= maxSliceSize`
  return undefined
}

/** Schema 1 as it was written: probationMs under key 23, nothing more. Read only, to migrate. */
const configSchemaV1 = struct<NodeConfig>(
  [...baseFields, { key: 23, name: 'probationMs', schema: uint(), optional: true }],
  { version: 1, versionAs: 'schemaVersion', check: checkConfig }
)

interface WireConfig extends Omit<NodeConfig, (typeof tuningNames)[number]> {
  tuning?: Tuning
}

const configSchema = struct<WireConfig>(
  [...baseFields, { key: 23, name: 'tuning', schema: tuningSchema, optional: true }],
  {
    version: CONFIG_SCHEMA_VERSION,
    versionAs: 'schemaVersion',
    check: (c) => checkConfig(c as NodeConfig)
  }
)

function toWire(config: NodeConfig): WireConfig {
  // the record is how the bytes nest, not an option
  if ('tuning' in config) throw new EncodeError('nodeConfig.tuning is not a field of this type')
  const wire: Record<string, unknown> = { ...config }
  const tuning: Record<string, unknown> = {}
  for (const name of tuningNames) {
    if (wire[name] !== undefined) tuning[name] = wire[name]
    delete wire[name]
  }
  if (Object.keys(tuning).length > 0) wire.tuning = tuning
  return wire as unknown as WireConfig
}

function fromWire(wire: WireConfig): NodeConfig {
  const { tuning, ...rest } = wire
  return { ...rest, ...tuning } as NodeConfig
}

export function encodeNodeConfig(config: NodeConfig): Uint8Array {
  if (typeof config !== 'object' || config === null) {
    throw new EncodeError(`nodeConfig must be an object, got ${config === null ? 'null' : typeof config}`)
  }
  return encodeWith(configSchema, toWire(config), limits.maxBytes.nodeConfig, 'nodeConfig')
}

/** A config of the current schema; UnknownVersionError for any other (see decodeOlderNodeConfig). */
export function decodeNodeConfig(bytes: Uint8Array): NodeConfig {
  return fromWire(decodeWith(configSchema, bytes, limits.maxBytes.nodeConfig, 'nodeConfig'))
}

/**
 * A config of an older CBOR schema (1), migrated to the current one, with the version it had;
 * UnknownVersionError when it is of no older schema either.
 */
export function decodeOlderNodeConfig(bytes: Uint8Array): { config: NodeConfig; version: number } {
  const old = decodeWith(configSchemaV1, bytes, limits.maxBytes.nodeConfig, 'nodeConfig')
  return { config: migrateConfig(old), version: 1 }
}

type Plain = Record<string, unknown>

/** migrations[n] turns a schemaVersion n config into n + 1. */
const migrations: ((old: Plain) => Plain)[] = [
  // 0: the unversioned layout: no schemaVersion, bootstrap as one comma-separated string,
  // dialTimeout in seconds.
  (old) => ({
    ...old,
    schemaVersion: 1,
    bootstrap:
      typeof old.bootstrap === 'string'
        ? old.bootstrap.split(',').filter((a) => a.trim() !== '')
        : old.bootstrap,
    dialTimeout: typeof old.dialTimeout === 'number' ? old.dialTimeout * 1000 : old.dialTimeout
  }),
  // 1: the same options; only the bytes moved probationMs under key 23's record.
  (old) => ({ ...old, schemaVersion: 2 })
]

/**
 * A config object of any known schema version (parsed JSON, say) upgraded to the current one and
 * checked option by option. Throws UnknownVersionError for a newer version, ConfigError naming
 * the option for anything else.
 */
export function migrateConfig(input: unknown): NodeConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(`nodeConfig must be an object, got ${input === null ? 'null' : typeof input}`)
  }
  let config = { ...(input as Plain) }
  let version = config.schemaVersion ?? 0
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new ConfigError(`nodeConfig.schemaVersion must be a whole number, got ${String(version)}`)
  }
  if (version > CONFIG_SCHEMA_VERSION) {
    throw new UnknownVersionError(
      `nodeConfig.schemaVersion ${version} is newer than ${CONFIG_SCHEMA_VERSION}`
    )
  }
  for (; version < CONFIG_SCHEMA_VERSION; version++) config = migrations[version]!(config)
  try {
    configSchema.write(toWire(config as unknown as NodeConfig), 'nodeConfig')
  } catch (err) {
    if (err instanceof EncodeError) throw new ConfigError(err.message)
    throw err
  }
  const out = { ...config, bootstrap: [...(config.bootstrap as string[])] } as unknown as NodeConfig
  if (out.announce !== undefined) out.announce = [...out.announce]
  return out
}
