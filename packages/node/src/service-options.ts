// The built-in services' options a node keeps in its config, beside its own: the ones an operator
// tunes (how often repair checks, how fast it may go, whether it audits; how long a lease lasts
// and its grace; how long a silent or maintained partner is waited for, how fast a new partner
// is filled). Undefined leaves the
// service's own default. Each is checked by its service's resolver, so the ranges live in one
// place and the error names the option.
import { PairingOptionError, type PairingOptions, resolvePairingOptions } from '@defs/pairing'
import { InvalidOptionError } from './errors.ts'
import { type LeaseOptions, resolveLeaseOptions } from './leases/lease-options.ts'
import { type RepairOptions, resolveRepairOptions } from './repair/repair-options.ts'

export const repairOptionNames = ['repairCheckInterval', 'repairBandwidth', 'repairAudits'] as const
export const leaseOptionNames = ['leaseDuration', 'leaseGrace'] as const
export const pairOptionNames = ['pairFailureTimeout', 'pairMaintenanceMax', 'pairMigrationBandwidth'] as const

export type ServiceOptionName =
  | (typeof repairOptionNames)[number]
  | (typeof leaseOptionNames)[number]
  | (typeof pairOptionNames)[number]

export type NodeServiceOptions = Pick<RepairOptions, (typeof repairOptionNames)[number]> &
  Pick<LeaseOptions, (typeof leaseOptionNames)[number]> &
  Pick<PairingOptions, (typeof pairOptionNames)[number]>

/** The service options among a node's (only those set). */
export function serviceOptionsOf(o: NodeServiceOptions): NodeServiceOptions {
  return definedOf(o, [...repairOptionNames, ...leaseOptionNames, ...pairOptionNames])
}

/** The repair service's options among a node's (only those set). */
export function repairOptionsOf(o: NodeServiceOptions): RepairOptions {
  return definedOf(o, repairOptionNames)
}

/** The lease service's options among a node's (only those set). */
export function leaseOptionsOf(o: NodeServiceOptions): LeaseOptions {
  return definedOf(o, leaseOptionNames)
}

/** The pairing service's options among a node's (only those set). */
export function pairingOptionsOf(o: NodeServiceOptions): PairingOptions {
  return definedOf(o, pairOptionNames)
}

/** Throws InvalidOptionError naming the option unless every service would take its options. */
export function checkServiceOptions(o: NodeServiceOptions): void {
  resolveRepairOptions(repairOptionsOf(o))
  resolveLeaseOptions(leaseOptionsOf(o))
  try {
    resolvePairingOptions(pairingOptionsOf(o))
  } catch (err) {
    if (!(err instanceof PairingOptionError)) throw err
    // @defs/pairing's messages start with the option they refuse.
    const name = pairOptionNames.find((n) => err.message.startsWith(n)) ?? pairOptionNames[0]
    throw new InvalidOptionError(name, err.message.slice(name.length).trimStart())
  }
}

function definedOf<T extends object, K extends keyof T>(o: T, names: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>
  for (const name of names) if (o[name] !== undefined) out[name] = o[name]
  return out
}
