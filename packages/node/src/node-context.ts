// The parts of a running node that its flows share. Built once by createNode; the upload,
// download, serving and task code take it instead of reaching for globals.
import type { SigningKey } from '@defs/crypto'
import type { PeerScorer } from '@defs/kbucket'
import type { Host } from '@defs/net'
import type { MetaStore } from './disk/meta-store.ts'
import type { NodeDir } from './disk/node-dir.ts'
import type { DiskShardStore } from './disk/shard-store.ts'
import type { ResolvedNodeOptions } from './options.ts'
import type { SlicePool } from './pipeline/index.ts'

export interface NodeContext {
  readonly options: ResolvedNodeOptions
  readonly dir: NodeDir
  readonly meta: MetaStore
  readonly shards: DiskShardStore
  readonly host: Host
  readonly peerId: string
  /** Signs manifests and deletes; file keys are wrapped to it. */
  readonly userKey: SigningKey
  readonly scorer: PeerScorer
  readonly pool: SlicePool
}
