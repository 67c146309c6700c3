/**
 * @packageDocumentation
 *
 * The ShardStore contract as a node:test suite, one for every implementation: `@defs/net` runs it
 * against MemoryShardStore, `@defs/node` against its disk store. A new store passes it before it
 * serves shards.
 *
 * @example
 * ```ts
 * import { describeShardStore } from '@defs/net/compliance'
 * describeShardStore('my store', async ({ maxBytes }) => ({ store: new MyStore({ maxBytes }) }))
 * ```
 */
export { describeShardStore, type OpenedStore, type OpenStore } from './compliance/shard-store-suite.ts'
