// Node options checked as the node will check them at start (resolveNodeOptions), plus what only
// libp2p would find later (a bootstrap address that does not parse, or names no peer), reported
// as the flag the user typed rather than the option's name in the node.
import { InvalidOptionError, resolveNodeOptions } from '@defs/node/config'
import { multiaddr } from '@multiformats/multiaddr'
import type { StoredNodeOptions } from './daemon-config.ts'
import { FlagError } from './node-flags.ts'

/** Each node option beside the flag that sets it. */
export const optionFlags: Record<string, string> = {
  storageMode: '--mode',
  dataShards: '--data-shards',
  parityShards: '--parity-shards',
  maxStorage: '--max-storage',
  workerNum: '--worker-num',
  logDir: '--log-dir',
  host: '--host',
  port: '--port',
  bootstrap: '--bootstrap',
  announce: '--announce',
  wsPort: '--ws-port',
  nat: '--nat',
  minFreeDisk: '--min-free-disk',
  mirrorInterval: '--mirror-interval',
  repairCheckInterval: '--repair-check-interval',
  repairBandwidth: '--repair-bandwidth',
  repairAudits: '--repair-audits',
  leaseDuration: '--lease-duration',
  leaseGrace: '--lease-grace',
  pairFailureTimeout: '--pair-failure-timeout',
  pairMaintenanceMax: '--pair-maintenance-max',
  pairMigrationBandwidth: '--pair-migration-bandwidth'
}

/** Throws FlagError naming the flag when `options` would not start a node in `dataDir`. */
export function checkNodeOptions(options: StoredNodeOptions, dataDir: string): void {
  try {
    resolveNodeOptions({ ...options, dataDir })
  } catch (err) {
    if (!(err instanceof InvalidOptionError)) throw err
    const flag = optionFlags[err.option]
    throw flag === undefined ? err : new FlagError(err.message.replace(`option ${err.option}`, flag))
  }
  for (const address of options.bootstrap ?? []) {
    let peer: string | undefined
    try {
      peer = multiaddr(address)
        .getComponents()
        .find((c) => c.name === 'p2p')?.value
    } catch (err) {
      throw new FlagError(
        `--bootstrap ${JSON.stringify(address)} is not a multiaddr (${(err as Error).message.split('\n')[0]}); it looks like /ip4/203.0.113.7/tcp/7421/p2p/12D3KooW...`
      )
    }
    if (peer === undefined)
      throw new FlagError(
        `--bootstrap ${JSON.stringify(address)} names no peer: end it with /p2p/<peer id> (defs status shows a node's)`
      )
  }
}
