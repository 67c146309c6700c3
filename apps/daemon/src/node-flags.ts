// Node options from command-line flags, shared by the daemon process (main.ts) and the CLI's
// `defs init` / `defs start`, so both spell and check every flag the same way.
import {
  DEFAULT_MIRROR_INTERVAL_MS,
  DEFAULT_MIRROR_RETRY_MS,
  type NodeOptions,
  resolveLeaseOptions,
  resolveRepairOptions,
  type StorageModeChoice
} from '@defs/node'
import { pairingDefaults } from '@defs/pairing'
import type { StoredNodeOptions } from './daemon-config.ts'

/** A flag the user got wrong; the message names it and the value. */
export class FlagError extends Error {
  override name = 'FlagError'
}

type NatOptions = NonNullable<NodeOptions['nat']>

export interface NodeFlags {
  port?: string
  'ws-port'?: string
  bootstrap?: string | string[]
  mode?: string
  'data-shards'?: string
  'parity-shards'?: string
  'max-storage'?: string
  'worker-num'?: string
  'log-dir'?: string
  host?: string
  announce?: string | string[]
  'min-free-disk'?: string
  nat?: string
  'mirror-interval'?: string
  'repair-check-interval'?: string
  'repair-bandwidth'?: string
  'repair-audits'?: string
  'lease-duration'?: string
  'lease-grace'?: string
  'pair-failure-timeout'?: string
  'pair-maintenance-max'?: string
  'pair-migration-bandwidth'?: string
}

/** The built-in services' flags (`defs devnet` takes these besides its own few). */
export const serviceFlagNames = [
  'repair-check-interval',
  'repair-bandwidth',
  'repair-audits',
  'lease-duration',
  'lease-grace',
  'pair-failure-timeout',
  'pair-maintenance-max',
  'pair-migration-bandwidth'
] as const satisfies readonly (keyof NodeFlags)[]

// The services' own defaults, for the help (each service keeps its rule).
const repairDefaults = resolveRepairOptions()
const leaseDefaults = resolveLeaseOptions()
const DAY_S = 86_400
const YEAR_S = 365 * DAY_S

/** The flags' names and help, for parsers (node:util parseArgs, citty) to declare. */
export const nodeFlagHelp: Record<keyof NodeFlags, string> = {
  port: 'p2p TCP port (0 = any free port)',
  'ws-port': 'p2p WebSocket port, for browsers (0 = any free port)',
  bootstrap: 'multiaddr of a node to join through (repeat or comma-separate)',
  mode: 'default storage mode: auto, file, slice, rs-size, rs-proportion',
  'data-shards': 'default k, data shards per slice',
  'parity-shards': 'default m, parity shards per slice',
  'max-storage': 'bytes of shards to store for others, e.g. 10GiB',
  'worker-num': 'concurrent tasks',
  'log-dir': 'where logs go (default <dir>/logs)',
  host: 'p2p interface to listen on (default 127.0.0.1; 0.0.0.0 serves other machines)',
  announce:
    'multiaddr to tell peers instead of the listen addresses, behind a NAT or port forward (repeat or comma-separate)',
  'min-free-disk': 'free disk to keep: stores are refused below it, e.g. 1GiB (default 256MiB)',
  nat: 'NAT traversal, comma-separated: relay-server, relay-client, hole-punching, auto-nat',
  'mirror-interval': `seconds between syncs of each user this node mirrors (default ${DEFAULT_MIRROR_INTERVAL_MS / 1000}; ${DEFAULT_MIRROR_RETRY_MS / 1000} s after a failed sync; 0 = only on defs mirror add)`,
  'repair-check-interval': `seconds between health checks of the files this node holds shards of, jittered (default ${repairDefaults.repairCheckInterval / 1000})`,
  'repair-bandwidth': `bytes per second all repairs may move, e.g. 16MiB (default ${repairDefaults.repairBandwidth / 2 ** 20}MiB)`,
  'repair-audits': `true or false: a file's repairer audits its holders at each check (default ${repairDefaults.repairAudits})`,
  'lease-duration': `seconds a holder keeps a shard past its owner's last renewal (default ${leaseDefaults.leaseDuration / 1000})`,
  'lease-grace': `seconds after a lease ran out before the shard is collected (default ${leaseDefaults.leaseGrace / 1000})`,
  'pair-failure-timeout': `seconds of a partner's silence before it is failed over, when the node pairs (default ${pairingDefaults.pairFailureTimeout / 1000})`,
  'pair-maintenance-max': `seconds a partner in maintenance is waited for, when the node pairs (default ${pairingDefaults.pairMaintenanceMax / 1000})`,
  'pair-migration-bandwidth': `bytes per second the copy to a new partner may move, e.g. 8MiB, when the node pairs (default ${pairingDefaults.pairMigrationBandwidth / 2 ** 20}MiB)`
}

/** Duration flags, in whole seconds (min..max), and the option each sets, in milliseconds. */
const secondsFlags = [
  ['mirror-interval', 'mirrorInterval', 0, DAY_S],
  ['repair-check-interval', 'repairCheckInterval', 1, DAY_S],
  ['lease-duration', 'leaseDuration', 1, YEAR_S],
  ['lease-grace', 'leaseGrace', 0, YEAR_S],
  ['pair-failure-timeout', 'pairFailureTimeout', 1, DAY_S],
  ['pair-maintenance-max', 'pairMaintenanceMax', 1, 7 * DAY_S]
] as const satisfies readonly (readonly [keyof NodeFlags, keyof StoredNodeOptions, number, number])[]

const natFlags: Record<string, keyof NatOptions> = {
  'relay-server': 'relayServer',
  'relay-client': 'relayClient',
  'hole-punching': 'holePunching',
  'auto-nat': 'autoNat'
}

export function nodeOptionsFromFlags(flags: NodeFlags): StoredNodeOptions {
  const o: StoredNodeOptions = {}
  if (flags.port !== undefined) o.port = integerFlag('port', flags.port, 0, 65535)
  if (flags['ws-port'] !== undefined) o.wsPort = integerFlag('ws-port', flags['ws-port'], 0, 65535)
  const bootstrap = listFlag(flags.bootstrap)
  if (bootstrap.length > 0) o.bootstrap = bootstrap
  const announce = listFlag(flags.announce)
  if (announce.length > 0) o.announce = announce
  if (flags.mode !== undefined) o.storageMode = flags.mode as StorageModeChoice
  if (flags['data-shards'] !== undefined)
    o.dataShards = integerFlag('data-shards', flags['data-shards'], 1, 100)
  if (flags['parity-shards'] !== undefined)
    o.parityShards = integerFlag('parity-shards', flags['parity-shards'], 1, 100)
  if (flags['max-storage'] !== undefined) o.maxStorage = parseByteSize(flags['max-storage'], '--max-storage')
  if (flags['worker-num'] !== undefined) o.workerNum = integerFlag('worker-num', flags['worker-num'], 1, 64)
  if (flags['log-dir'] !== undefined) o.logDir = flags['log-dir']
  if (flags.host !== undefined) o.host = flags.host
  if (flags['min-free-disk'] !== undefined)
    o.minFreeDisk = parseByteSize(flags['min-free-disk'], '--min-free-disk')
  if (flags.nat !== undefined) o.nat = natFromFlag(flags.nat)
  for (const [flag, option, min, max] of secondsFlags) {
    const value = flags[flag]
    if (value !== undefined) o[option] = integerFlag(flag, value, min, max) * 1000
  }
  if (flags['repair-bandwidth'] !== undefined)
    o.repairBandwidth = parseByteSize(flags['repair-bandwidth'], '--repair-bandwidth')
  if (flags['repair-audits'] !== undefined)
    o.repairAudits = booleanFlag('repair-audits', flags['repair-audits'])
  if (flags['pair-migration-bandwidth'] !== undefined)
    o.pairMigrationBandwidth = parseByteSize(flags['pair-migration-bandwidth'], '--pair-migration-bandwidth')
  return o
}

/**
 * Options a node keeps in milliseconds and its flags give in whole seconds: shown in seconds
 * again (`defs config`), so what is shown can be set back as it reads.
 */
export const optionsInSeconds: ReadonlySet<string> = new Set(secondsFlags.map(([, option]) => option))

/** A stored option's value as its flag spells it. */
export function flagValueOf(option: string, value: unknown): unknown {
  return optionsInSeconds.has(option) && typeof value === 'number' ? value / 1000 : value
}

function booleanFlag(name: string, value: string): boolean {
  const v = value.trim().toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new FlagError(`--${name} takes true or false, got ${JSON.stringify(value)}`)
}

/** A flag given several times or as a comma-separated list: every value, trimmed. */
function listFlag(value: string | string[] | undefined): string[] {
  return [value ?? []]
    .flat()
    .flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter(Boolean)
}

function natFromFlag(value: string): NatOptions {
  const nat: NatOptions = {}
  for (const word of value
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const key = natFlags[word]
    if (key === undefined)
      throw new FlagError(
        `--nat takes ${Object.keys(natFlags).join(', ')} (comma-separated), got ${JSON.stringify(word)}`
      )
    nat[key] = true
  }
  return nat
}

export function integerFlag(name: string, value: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new FlagError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`)
  }
  return n
}

const units: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40
}

/** "64MiB", "10 GB", "1.5g", "4096" -> bytes. */
export function parseByteSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const factor = m ? units[m[2]!.toLowerCase()] : undefined
  const bytes = m && factor !== undefined ? Math.round(Number(m[1]) * factor) : Number.NaN
  if (!Number.isSafeInteger(bytes)) {
    throw new FlagError(`${what} must be a size like 4096, 64MiB or 10GB, got ${JSON.stringify(text)}`)
  }
  return bytes
}
