// Node options back into daemon flags, for the daemons a devnet spawns.
import type { StoredNodeOptions } from '@defs/daemon'

export function nodeFlags(o: StoredNodeOptions): string[] {
  const flags: string[] = []
  const add = (flag: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) flags.push(`--${flag}`, String(value))
  }
  add('port', o.port)
  add('ws-port', o.wsPort)
  for (const b of o.bootstrap ?? []) add('bootstrap', b)
  add('mode', o.storageMode)
  add('data-shards', o.dataShards)
  add('parity-shards', o.parityShards)
  add('max-storage', o.maxStorage)
  add('worker-num', o.workerNum)
  add('log-dir', o.logDir)
  add('host', o.host)
  for (const a of o.announce ?? []) add('announce', a)
  add('min-free-disk', o.minFreeDisk)
  // Durations: the flags are in whole seconds.
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.ceil(ms / 1000))
  add('mirror-interval', seconds(o.mirrorInterval))
  add('repair-check-interval', seconds(o.repairCheckInterval))
  add('repair-bandwidth', o.repairBandwidth)
  add('repair-audits', o.repairAudits)
  add('lease-duration', seconds(o.leaseDuration))
  add('lease-grace', seconds(o.leaseGrace))
  add('pair-failure-timeout', seconds(o.pairFailureTimeout))
  add('pair-maintenance-max', seconds(o.pairMaintenanceMax))
  add('pair-migration-bandwidth', o.pairMigrationBandwidth)
  const nat = Object.entries(o.nat ?? {})
    .filter(([, on]) => on === true)
    .map(([key]) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))
  if (nat.length > 0) add('nat', nat.join(','))
  return flags
}
