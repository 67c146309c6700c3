// What a node tells whoever listens (the daemon's event stream, the dashboard, tests, services):
// one typed EventTarget per node, so nobody polls and every event has one shape.
import { TypedEventEmitter } from 'main-event'
import type { LifecycleChange } from './lifecycle.ts'
import type { MaintenanceProgress } from './maintenance/record.ts'
import type { Republished } from './steps/republish.ts'
import type { RottedShard } from './steps/rotted-shard.ts'
import type { TaskRecord } from './tasks/task-types.ts'

export interface PeerEvent {
  peerId: string
}

/** A read found a slice short of data shards (it needed parity) or met a shard that did not match its id. */
export interface DegradedSlice {
  fileIdHex: string
  /** The file owner's key, multikey hex: whose manifest the read followed. */
  owner: string
  slice: number
  reason: 'parity' | 'corrupt'
  /** Holders that served a shard of the slice (live ones). */
  served: string[]
}

/**
 * Both nodes of a pair that held a copy of a shard have it no longer (both gone, or one gone and
 * the other's copy lost): the repair service finds it at a health check of the file, and says so
 * at each check while it lasts. Repair rebuilds the shard from the slice's other shards.
 */
export interface PairLost {
  fileIdHex: string
  slice: number
  /** The shard id, hex. */
  shard: string
  /** The pair's two peer ids, sorted. */
  pair: [string, string]
}

export interface NodeEventMap {
  /** A task was submitted, made progress or changed state. */
  task: CustomEvent<TaskRecord>
  /** The node's lifecycle state changed (running, maintenance, draining, stopped). */
  lifecycle: CustomEvent<LifecycleChange>
  /** Maintenance mode's progress while it switches on or off, and when it is done. */
  maintenance: CustomEvent<MaintenanceProgress>
  /** The files this node owns were announced again after a start (DHT provider and manifest records). */
  republish: CustomEvent<Republished>
  /** A shard held here was found rotted as it was served, and dropped from the store. */
  'shard:rotted': CustomEvent<RottedShard>
  /** A read of a slice needed parity or met a bad shard: the repair service tells the file's repairer. */
  'slice:degraded': CustomEvent<DegradedSlice>
  /** A shard has no live copy left on the pair that held it (the repair service's health check). */
  'pair:lost': CustomEvent<PairLost>
  /**
   * A shard put to this paired node was acknowledged: with 2 durable copies (the partner took its
   * copy) or 1 (the partner did not answer; the pair's sync sends it later).
   */
  'pair:acknowledged': CustomEvent<{ copies: number }>
  'peer:connect': CustomEvent<PeerEvent>
  'peer:disconnect': CustomEvent<PeerEvent>
}

export type NodeEvents = TypedEventEmitter<NodeEventMap>

export function createNodeEvents(): NodeEvents {
  return new TypedEventEmitter<NodeEventMap>()
}
