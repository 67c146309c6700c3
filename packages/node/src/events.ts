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
  'peer:connect': CustomEvent<PeerEvent>
  'peer:disconnect': CustomEvent<PeerEvent>
}

export type NodeEvents = TypedEventEmitter<NodeEventMap>

export function createNodeEvents(): NodeEvents {
  return new TypedEventEmitter<NodeEventMap>()
}
