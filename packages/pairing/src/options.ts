// The pairing options, checked once at the boundary: each error names the option and the value.
import { PairingOptionError } from './errors.ts'

export interface PairingOptions {
  /** How often a node heartbeats its partner, ms. Default 1000. */
  heartbeatInterval?: number
  /** Silence after which the partner is suspect (the deadline beside phi), ms. Default 3000. */
  pairSuspectAfter?: number
  /** Silence after which the partner is failed over, if other peers confirm it, ms. Default 30 000. */
  pairFailureTimeout?: number
  /** Phi at which the partner is suspect before the deadline. Default 8. */
  phiThreshold?: number
  /** Silence phi does not count at all (a GC pause, a slow disk), ms. Default 2000. */
  acceptablePause?: number
  /** Floor under the heartbeat deviation phi assumes, ms. Default 100. */
  minStdDeviation?: number
  /**
   * How long a partner that reports maintenance (and keeps heartbeating) is not failed over, ms,
   * counted from the first heartbeat that said so. A partner whose heartbeats stop while it is in
   * maintenance (its process is down for the upgrade) is waited for too: the last state heard
   * counts. Not shorter than `pairFailureTimeout`. Beyond it, normal failover applies: a partner still answering, still in maintenance,
   * is failed over at once (it said itself that it takes no shards); a silent one after
   * `pairFailureTimeout` of silence, if other peers confirm. Default 1 800 000 (30 min).
   */
  pairMaintenanceMax?: number
  /**
   * Bytes per second the copy of the pair's shards to a new partner may move (the node's
   * `migrate` task spends it), so a failover never takes the link from user transfers. At least
   * 64 KiB. Default 32 MiB.
   */
  pairMigrationBandwidth?: number
  /** Other peers that must fail to reach the partner before it is declared failed. Default 2. */
  witnesses?: number
  /** First wait before a refused or raced proposal is tried again, doubled each time, ms. Default 500. */
  formationBackoff?: number
  /** False: never pick a partner by itself (only `pairWith`). Default true. */
  autoPair?: boolean
}

export type ResolvedPairingOptions = Required<PairingOptions>

export const pairingDefaults: ResolvedPairingOptions = {
  heartbeatInterval: 1000,
  pairSuspectAfter: 3000,
  pairFailureTimeout: 30_000,
  pairMaintenanceMax: 1_800_000,
  pairMigrationBandwidth: 32 * 1024 * 1024,
  phiThreshold: 8,
  acceptablePause: 2000,
  minStdDeviation: 100,
  witnesses: 2,
  formationBackoff: 500,
  autoPair: true
}

export function resolvePairingOptions(options: PairingOptions = {}): ResolvedPairingOptions {
  const o: ResolvedPairingOptions = { ...pairingDefaults }
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v
  whole('heartbeatInterval', o.heartbeatInterval, 10)
  whole('pairSuspectAfter', o.pairSuspectAfter, 1)
  whole('pairFailureTimeout', o.pairFailureTimeout, 1)
  whole('pairMaintenanceMax', o.pairMaintenanceMax, 1)
  whole('pairMigrationBandwidth', o.pairMigrationBandwidth, 64 * 1024, 'bytes per second')
  whole('acceptablePause', o.acceptablePause, 0)
  whole('minStdDeviation', o.minStdDeviation, 1)
  whole('witnesses', o.witnesses, 1)
  whole('formationBackoff', o.formationBackoff, 1)
  if (typeof o.phiThreshold !== 'number' || !(o.phiThreshold > 0) || !Number.isFinite(o.phiThreshold)) {
    throw new PairingOptionError(`phiThreshold must be a finite number > 0, got ${String(o.phiThreshold)}`)
  }
  if (typeof o.autoPair !== 'boolean')
    throw new PairingOptionError(`autoPair must be true or false, got ${String(o.autoPair)}`)
  if (o.pairSuspectAfter <= o.heartbeatInterval) {
    throw new PairingOptionError(
      `pairSuspectAfter (${o.pairSuspectAfter}) must be longer than heartbeatInterval (${o.heartbeatInterval})`
    )
  }
  if (o.pairFailureTimeout < o.pairSuspectAfter) {
    throw new PairingOptionError(
      `pairFailureTimeout (${o.pairFailureTimeout}) must not be shorter than pairSuspectAfter (${o.pairSuspectAfter})`
    )
  }
  if (o.pairMaintenanceMax < o.pairFailureTimeout) {
    // maintenance is a reason to wait longer than for silence, never shorter
    throw new PairingOptionError(
      `pairMaintenanceMax (${o.pairMaintenanceMax}) must not be shorter than pairFailureTimeout (${o.pairFailureTimeout})`
    )
  }
  return o
}

function whole(name: string, value: unknown, min: number, unit = 'ms'): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new PairingOptionError(`${name} must be an integer >= ${min} (${unit}), got ${String(value)}`)
  }
}
