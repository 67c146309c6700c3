import { describeShardStore } from '../src/compliance.ts'
import { MemoryShardStore } from '../src/memory-shard-store.ts'

describeShardStore('MemoryShardStore', async ({ maxBytes }) => ({
  store: new MemoryShardStore({ maxBytes })
}))
