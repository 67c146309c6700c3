// The disk store against @defs/net's ShardStore contract, each test in a fresh directory.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeShardStore } from '@defs/net/compliance'
import { DiskShardStore } from '../src/disk/shard-store.ts'

describeShardStore('DiskShardStore', async ({ maxBytes }) => {
  const root = await mkdtemp(join(tmpdir(), 'defs-store-contract-'))
  const dirs = [join(root, 'shards'), join(root, 'tmp')] as const
  await mkdir(dirs[1], { recursive: true })
  return {
    store: await DiskShardStore.open(...dirs, maxBytes),
    reopen: () => DiskShardStore.open(...dirs, maxBytes),
    close: () => rm(root, { recursive: true, force: true })
  }
})
