// What the repair service is told: how often a holder checks the files it holds, when a slice is
// worth rebuilding, how long an elected repairer has before the next holder takes over, and how
// many bytes per second repairs may move. Checked once, with errors that name the option.
import { InvalidOptionError } from '../errors.ts'
import { integer } from '../options.ts'

export interface RepairOptions {
  /** Milliseconds between two health checks of the files this node holds shards of (jittered ±25%). Default 5 min. */
  repairCheckInterval?: number
  /**
   * A slice is repaired when its healthy shards fall to this many: default k + ceil(m / 2) of the
   * file's own code, at most k + m - 1 (so a lost shard is always rebuilt with the value of
   * k + m - 1). A repair restores every missing shard of the slice.
   */
  repairThreshold?: number
  /**
   * Milliseconds an elected repairer has to bring a file back before the next holder in the
   * election takes its turn (the holder of rank r after r leases). Default 10 min.
   */
  repairLease?: number
  /** Bytes per second all repairs of this node may fetch and place together. Default 64 MiB/s. */
  repairBandwidth?: number
  /** Priority of repair tasks: below user transfers (0) by default. Default -10. */
  repairPriority?: number
  /** Whether the repairer of a file audits its holders at each check. Default true. */
  repairAudits?: boolean
}

export type ResolvedRepairOptions = Required<Omit<RepairOptions, 'repairThreshold'>> &
  Pick<RepairOptions, 'repairThreshold'>

const MINUTE = 60_000

export function resolveRepairOptions(o: RepairOptions = {}): ResolvedRepairOptions {
  const known = [
    'repairCheckInterval',
    'repairThreshold',
    'repairLease',
    'repairBandwidth',
    'repairPriority',
    'repairAudits'
  ]
  for (const key of Object.keys(o)) {
    if (!known.includes(key))
      throw new InvalidOptionError(key, `is not a repair option (${known.join(', ')})`)
  }
  const r = {
    repairCheckInterval: o.repairCheckInterval ?? 5 * MINUTE,
    repairLease: o.repairLease ?? 10 * MINUTE,
    repairBandwidth: o.repairBandwidth ?? 64 * 1024 * 1024,
    repairPriority: o.repairPriority ?? -10,
    repairAudits: o.repairAudits ?? true,
    ...(o.repairThreshold !== undefined ? { repairThreshold: o.repairThreshold } : {})
  }
  integer('repairCheckInterval', r.repairCheckInterval, 100, 24 * 60 * MINUTE)
  integer('repairLease', r.repairLease, 100, 24 * 60 * MINUTE)
  integer('repairBandwidth', r.repairBandwidth, 64 * 1024, Number.MAX_SAFE_INTEGER)
  integer('repairPriority', r.repairPriority, -1000, 1000)
  if (typeof r.repairAudits !== 'boolean') {
    throw new InvalidOptionError(
      'repairAudits',
      `must be true or false, got ${JSON.stringify(r.repairAudits)}`
    )
  }
  if (r.repairThreshold !== undefined) integer('repairThreshold', r.repairThreshold, 0, 255)
  return r
}

/** Healthy shards at or below which a slice of a k + m code is repaired. */
export function repairThresholdOf(
  o: ResolvedRepairOptions,
  dataShards: number,
  parityShards: number
): number {
  return Math.min(
    o.repairThreshold ?? dataShards + Math.ceil(parityShards / 2),
    dataShards + parityShards - 1
  )
}
