export { type LeaseOptions, type ResolvedLeaseOptions, resolveLeaseOptions } from './lease-options.ts'
export { LEASE_PROTOCOL } from './lease-protocol.ts'
export { type CollectedShard, type LeaseEvents, LeaseService, leases } from './lease-service.ts'
export type { LeaseStatus, ShardCount } from './shard-leases.ts'
