// The parts of a running node that its subsystems, steps and services share, built once by
// createNode (the composition root). Each is an interface or a small class a test or an L3
// service can replace with its own; nothing reaches for a global.
import type { SigningKey } from '@defs/crypto'
import type { PeerScorer } from '@defs/kbucket'
import type { Host, ShardBody, ShardStore } from '@defs/net'
import type { ShardClaim } from '@defs/segment'
import type { ComponentLogger } from '@libp2p/interface'
import type { DiskBudget } from './disk/disk-budget.ts'
import type { MetaStore } from './disk/meta-store.ts'
import type { NodeDir } from './disk/node-dir.ts'
import type { NodeEvents } from './events.ts'
import type { Keystore } from './keystore.ts'
import type { ShardLeases } from './leases/shard-leases.ts'
import type { Lifecycle } from './lifecycle.ts'
import type { ResolvedNodeOptions } from './options.ts'
import type { PairView } from './pairing/pair-view.ts'
import type { PeerStanding } from './peers/standing.ts'
import type { SliceWorkers } from './pipeline/index.ts'
import type { RetiredPeers } from './retirement.ts'
import type { TaskQueue } from './tasks/task-queue.ts'

/** The node's own shard store: the protocol's contract plus what status and GC read. */
export interface NodeShardStore extends ShardStore {
  readonly usedBytes: number
  readonly count: number
  /** Grows with every shard added or removed (what an inventory digest is rebuilt on). */
  readonly changes: number
  readonly maxBytes: number
  /** Hex ids of every stored shard. */
  ids(): string[]
  /** Bytes the shard's file takes on disk (what the quota counts), undefined when it is not held. */
  bytesOf(idHex: string): number | undefined
  /** Set by the pairing service: forwards each new shard to the partner; resolves with the copies. */
  mirror: ((id: Uint8Array, body: ShardBody, claim: ShardClaim) => Promise<number>) | undefined
}

export interface NodeComponents {
  readonly options: ResolvedNodeOptions
  readonly dir: NodeDir
  readonly peerId: string
  readonly host: Host
  readonly logger: ComponentLogger
  readonly meta: MetaStore
  readonly shards: NodeShardStore
  /** What the node may still write: maxStorage over shards, metadata and logs; minFreeDisk kept. */
  readonly disk: DiskBudget
  readonly keystore: Keystore
  /** Signs manifests and deletes; file keys are wrapped to it. */
  readonly userKey: SigningKey
  /** What placement, pairing and repair know of every peer. */
  readonly scorer: PeerScorer
  /** Seal, open and rebuild slices on worker threads (started on first use). */
  readonly pool: SliceWorkers
  readonly tasks: TaskQueue
  readonly lifecycle: Lifecycle
  readonly events: NodeEvents
  /** Peers retired by their operators: never taken back, never placed on. */
  readonly retired: RetiredPeers
  /** Who each peer is to this node: trusted, known (past probation) or a stranger. */
  readonly standing: PeerStanding
  /** How long each held claim is kept unless renewed (leases/), and what was collected. */
  readonly leases: ShardLeases
  /** Who is paired with whom (filled by the pairing service): a pair is one failure domain. */
  readonly pairs: PairView
}
