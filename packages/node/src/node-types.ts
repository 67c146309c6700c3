// A running node, as helia's is: a few subsystems as properties (files, tasks, peers), a typed
// event target, its lifecycle, and the services it was composed with.
import type { ScoreFactors } from '@defs/kbucket'
import type { DiskUsage } from './disk/disk-budget.ts'
import type { NodeEvents } from './events.ts'
import type { FileApi } from './files/types.ts'
import type { LeaseStatus } from './leases/shard-leases.ts'
import type { LifecycleState } from './lifecycle.ts'
import type { MaintenanceOptions } from './maintenance/maintenance.ts'
import type { MaintenanceRecord } from './maintenance/record.ts'
import type { TaskProgress, TaskRecord } from './tasks/task-types.ts'

export interface PeerInfo {
  peerId: string
  addresses: string[]
  score: number
  /** What the score is made of, each in [0, 1] (0.5: nothing measured yet). */
  factors: ScoreFactors
  /** Trusted (the operator said so), known (past probation) or a stranger. */
  standing: 'trusted' | 'known' | 'stranger'
  /** The round trip libp2p's connection monitor measured last, when it has. */
  rttMs?: number
  /** The network group of its address (`ip4:a.b.c.0/24`), when it is routable. */
  group?: string
}

export interface PeerApi {
  /** Connected peers with their scores. */
  list(): Promise<PeerInfo[]>
  /** Dials a peer by multiaddr (devnets, manual joins). */
  connect(multiaddr: string): Promise<void>
  /** Trusts a peer (or, with false, stops): no stranger quotas for it, placed on first. Kept in the config. */
  trust(peerId: string, trusted?: boolean): Promise<void>
  /**
   * `peerId`'s newest pairing record in the DHT, checked (signed by both peers it names; with
   * pairing on, not below an epoch this node has seen: RollbackError); undefined when none.
   */
  pairing(peerId: string): Promise<PairingRecordInfo | undefined>
}

/** A pairing record as `peers.pairing` answers it. */
export interface PairingRecordInfo {
  peers: [string, string]
  epoch: number
  /** When the pair signed it, ms since the epoch. */
  created: number
}

export interface TaskApi {
  list(): TaskRecord[]
  get(id: string): TaskRecord
  /** Pauses a queued or running task at its next consistent point. */
  pause(id: string): Promise<TaskRecord>
  resume(id: string): Promise<TaskRecord>
  /** Cancels a task and cleans up after it (an upload's shards are deleted). */
  cancel(id: string): Promise<TaskRecord>
  /** Resolves when the task is done, failed, cancelled or paused. */
  settled(id: string): Promise<TaskRecord>
}

export interface MaintenanceApi {
  /** Pauses all background work at consistent points and records it; idempotent. */
  on(options?: MaintenanceOptions): Promise<MaintenanceRecord>
  /** Resumes exactly what `on` paused, then leaves maintenance; idempotent. */
  off(options?: MaintenanceOptions): Promise<MaintenanceRecord>
  status(): Promise<MaintenanceRecord>
}

export interface NodeStatus {
  peerId: string
  addresses: string[]
  peers: number
  storedBytes: number
  storedShards: number
  maxStorage: number
  tasks: Record<TaskRecord['state'], number>
  /** Disk use: shards, metadata and logs against maxStorage, free disk against minFreeDisk. */
  disk: DiskUsage
  /** Shards held, under a running lease, expired (collected after the grace period) and collected since start. */
  leases: LeaseStatus
  /** The lifecycle state, and since when (ms since the epoch). */
  state: LifecycleState
  stateSince: number
}

export interface DefsNode<S extends object = object> {
  readonly peerId: string
  readonly dataDir: string
  readonly files: FileApi
  readonly tasks: TaskApi
  readonly peers: PeerApi
  /** Maintenance mode: stop background work for an upgrade, get exactly it back afterwards. */
  readonly maintenance: MaintenanceApi
  readonly events: NodeEvents
  /** The services createNode was given (pairing, repair, ...), by name, started. */
  readonly services: S
  /** This node's listen addresses, with its peer id. */
  addresses(): string[]
  status(): Promise<NodeStatus>
  /**
   * Retires this node's identity for good: a signed record tells the network, which never takes
   * the id back; the node stops, and its directory starts next time as a new node under a new id.
   */
  retire(): Promise<{ peerId: string; retired: number }>
  /** Stops at a consistent point: tasks paused and persisted, services stopped, stores closed. */
  stop(): Promise<void>
}

export type { TaskProgress }
