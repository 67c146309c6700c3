/**
 * @packageDocumentation
 *
 * A testbed of real hosts for DeFS's fault tests and benchmarks: one Linux network namespace
 * and one `defs` daemon per host, on a bridge of its own with addresses from 198.18.0.0/15 and
 * no route out; faults as calls (SIGKILL, SIGSTOP, restart, wipe, partition, loss, egress cap),
 * NAT, and a durability ledger. Needs root and the ip, nft and tc commands (see README.md).
 *
 * @example
 * ```ts
 * const tb = await createTestbed({ hosts: 6, egress: '100mbit', loss: 0.005 })
 * after(() => tb.teardown())
 * await tb.put(tb.host(1), file)
 * await tb.partition(tb.host(1), tb.host(2))
 * await tb.host(3).kill()
 * await tb.ledger.verify([tb.host(6)])
 * ```
 */
export { maxHosts, privateAddresses, publicAddress } from './addresses.ts'
export { type ClientResult, runInNamespace } from './client-process.ts'
export { TestbedCommandError } from './commands.ts'
export {
  apiPort,
  cliScript,
  HostApiError,
  HostStateError,
  type PeerInfo,
  p2pPort,
  processCpuSeconds,
  TestbedHost
} from './host.ts'
export { DurabilityError, DurabilityLedger, type LedgerEntry, type ShardAck } from './ledger.ts'
export { isDeadRun, namespaces, projectPrefix, sweepDeadRuns } from './run-id.ts'
export { parseRate } from './shaping.ts'
export { type TestbedSupport, testbedSkip, testbedSupport } from './support.ts'
export {
  createTestbed,
  type PutRecord,
  sha256File,
  Testbed,
  TestbedError,
  type TestbedOptions
} from './testbed.ts'
