// What the API's JSON carries. The node's own types describe it (the daemon sends them as
// JSON.stringify writes them); they are imported as types only, so nothing of @defs/node is
// loaded at run time by the client.
import type {
  LifecycleChange,
  MaintenanceProgress,
  NodeStatus,
  PeerEvent,
  Republished,
  RottedShard,
  TaskRecord,
  TreeListing
} from '@defs/node'

export type {
  FileHealth,
  FileInfo,
  LifecycleChange,
  MaintenanceProgress,
  MaintenanceRecord,
  NodeStatus,
  PeerEvent,
  PeerInfo,
  PutResult,
  Republished,
  RottedShard,
  TaskProgress,
  TaskRecord,
  TreeFile,
  TreeListing
} from '@defs/node'

/** GET /v1/status: the node's status and its storage quota. */
export type DaemonStatus = NodeStatus & { quota: { usedBytes: number; maxBytes: number } }

export interface DaemonVersion {
  version: string
  node: string
  pid: number
}

export type TaskAction = 'pause' | 'resume' | 'cancel'

/** A task on the event stream: the record without its checkpoint. */
export type TaskLine = Omit<TaskRecord, 'checkpoint'>

/**
 * One throughput sample of the daemon (every 5 s; GET /v1/throughput keeps the last hour): the
 * running tasks' bytes/s by kind (every kind the node has, so a new kind shows here by itself),
 * and the API's bytes/s received and served since the sample before. The daemon's
 * ThroughputHistory writes it; this is its shape on the wire.
 */
export type ThroughputSample = Record<TaskRecord['kind'], number> & {
  /** ms since the epoch */
  at: number
  received: number
  served: number
}

/**
 * GET /v1/pair: the node's pair as @defs/pairing reports it (partner, epoch, health, heartbeat RTT
 * and phi) and the migrations under way; `{ enabled: false }` on a node without pairing.
 */
export type PairReport =
  | { enabled: false }
  | {
      enabled: true
      partner?: string
      epoch: number
      health: string
      rttMs?: number
      phi: number
      silenceMs?: number
      /** The partner's inventory digest equals this node's (absent until a heartbeat carried one). */
      inSync?: boolean
      /** When (ms since the epoch) the digests last agreed. */
      syncedAt?: number
      /** What the partner is known to lack until they sync: shards acknowledged with one copy. */
      backlog: { shards: number; bytes: number }
      migrations: { id: string; state: string; partner: string; shardsDone: number }[]
    }

/**
 * GET /v1/pair/:peer: the peer's newest pairing record in the DHT, signed by both peers it names
 * (the node refuses one older than an epoch it has seen, 502 RollbackError).
 */
export type PairingLookup =
  | { peer: string; found: false }
  | { peer: string; found: true; partner: string; peers: [string, string]; epoch: number; created: number }

/** What GET /v1/events sends, by event name. */
export interface DaemonEventMap {
  throughput: ThroughputSample
  status: NodeStatus
  task: TaskLine
  lifecycle: LifecycleChange
  maintenance: MaintenanceProgress
  republish: Republished
  'shard:rotted': RottedShard
  'peer:connect': PeerEvent
  'peer:disconnect': PeerEvent
}

export type DaemonEvent = {
  [K in keyof DaemonEventMap]: { type: K; id?: string; data: DaemonEventMap[K] }
}[keyof DaemonEventMap]

/** GET /v1/session: whom a browser's session cookie (or the token) stands for. */
export type SessionInfo = { kind: 'operator' } | { kind: 'user'; name: string; user: string; expires: number }

/** GET /v1/users/me/tree: the session user's tree, and their name. */
export type UserTree = TreeListing & { name: string }

/** GET /v1/users/me/files/:ref: the capability of a file the session user reaches (their tree, or shared with them). */
export interface UserFileCapability {
  name: string
  fileId: string
  capability: string
}

/** POST /v1/users/me/shares: a file of the session user's tree granted to a friend (`with`, their user id), at root `seq`. */
export interface ShareGrant {
  seq: number
  name: string
  fileId: string
  with: string
}
