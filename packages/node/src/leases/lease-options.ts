// What the lease service is told: how long a claim is kept without a renewal, how long past its
// expiry the collector waits before removing it, and (derived) how often owners and repairers
// renew. Checked once, with errors that name the option.
import { InvalidOptionError } from '../errors.ts'
import { integer } from '../options.ts'

export interface LeaseOptions {
  /** Milliseconds a holder keeps a claim past its last renewal (or first sight). Default 24 h. */
  leaseDuration?: number
  /** Milliseconds after a lease ran out before the collector removes the claim. Default 24 h. */
  leaseGrace?: number
}

export interface ResolvedLeaseOptions extends Required<LeaseOptions> {
  /** Renewals go out every quarter lease, so three in a row may be lost before anything expires. */
  renewInterval: number
  /** How often the collector looks at every claim held. */
  sweepInterval: number
}

const HOUR = 3600_000
const YEAR = 365 * 24 * HOUR

export function resolveLeaseOptions(o: LeaseOptions = {}): ResolvedLeaseOptions {
  const known = ['leaseDuration', 'leaseGrace']
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new InvalidOptionError(key, `is not a lease option (${known.join(', ')})`)
  }
  const leaseDuration = o.leaseDuration ?? 24 * HOUR
  const leaseGrace = o.leaseGrace ?? 24 * HOUR
  integer('leaseDuration', leaseDuration, 400, YEAR)
  integer('leaseGrace', leaseGrace, 0, YEAR)
  return {
    leaseDuration,
    leaseGrace,
    renewInterval: Math.floor(leaseDuration / 4),
    sweepInterval: Math.max(
      100,
      Math.min(60_000, Math.floor(Math.min(leaseDuration, leaseGrace || leaseDuration) / 4))
    )
  }
}
