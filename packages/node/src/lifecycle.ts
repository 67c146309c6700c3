// The node's one lifecycle: running <-> maintenance, either -> draining -> stopped. Every part
// that admits work asks it: the shard server before it takes a peer's put, the task queue before
// it takes a task, placement before it puts a shard on this node. So a state change takes effect
// everywhere at once, and there is no second flag to forget.
import { NodeStoppingError, UnderMaintenanceError } from './errors.ts'
import type { NodeEvents } from './events.ts'
import type { TaskKind } from './tasks/task-types.ts'

export type LifecycleState = 'running' | 'maintenance' | 'draining' | 'stopped'

export interface LifecycleChange {
  state: LifecycleState
  previous: LifecycleState
  /** When the node entered `state`, ms since the epoch. */
  since: number
}

/** Why this node takes no new shards from peers now; undefined when it does. */
export type PutRefusal = 'maintenance' | 'draining' | undefined

const allowed: Record<LifecycleState, readonly LifecycleState[]> = {
  running: ['maintenance', 'draining'],
  maintenance: ['running', 'draining'],
  draining: ['stopped'],
  stopped: []
}

/** Work that changes what the network holds: refused and held in maintenance (reads go on). */
export const heldInMaintenance: readonly TaskKind[] = ['upload', 'repair', 'migrate']

export class Lifecycle {
  #state: LifecycleState = 'running'
  #since: number
  readonly #events: NodeEvents
  readonly #now: () => number

  constructor(events: NodeEvents, now: () => number = Date.now) {
    this.#events = events
    this.#now = now
    this.#since = now()
  }

  get state(): LifecycleState {
    return this.#state
  }

  /** When the current state began, ms since the epoch. */
  get since(): number {
    return this.#since
  }

  /** Moves to `next`; a move the machine does not allow throws. Idempotent for the current state. */
  enter(next: LifecycleState): void {
    const previous = this.#state
    if (next === previous) return
    if (!allowed[previous].includes(next)) {
      throw new RangeError(`lifecycle cannot go from ${previous} to ${next}`)
    }
    this.#state = next
    this.#since = this.#now()
    this.#events.safeDispatchEvent('lifecycle', { detail: { state: next, previous, since: this.#since } })
  }

  /** What the shard server answers a peer's put: taken, or refused as "not now" (not as a fault). */
  putRefusal(): PutRefusal {
    if (this.#state === 'maintenance') return 'maintenance'
    if (this.#state === 'draining' || this.#state === 'stopped') return 'draining'
    return undefined
  }

  /** Throws when a new task of `kind` may not start now. */
  admitTask(kind: TaskKind): void {
    if (heldInMaintenance.includes(kind)) this.admitChange(`${kind} tasks`)
    else this.#admitWork(`${kind} tasks`)
  }

  /** Whether a queued task of `kind` may start now: maintenance holds what it refuses. */
  mayStart(kind: TaskKind): boolean {
    return this.#state === 'running' || (this.#state === 'maintenance' && !heldInMaintenance.includes(kind))
  }

  /** Throws when a change (`what`: "uploads", "deletes") may not be made now: in maintenance or stopping. */
  admitChange(what: string): void {
    this.#admitWork(what)
    if (this.#state === 'maintenance') {
      throw new UnderMaintenanceError(
        `the node is in maintenance since ${new Date(this.#since).toISOString()}; ${what} are refused until it is switched off (reads keep working)`,
        { since: this.#since }
      )
    }
  }

  #admitWork(what: string): void {
    if (this.#state === 'draining' || this.#state === 'stopped') {
      throw new NodeStoppingError(`the node is ${this.#state}; it takes no new ${what}`)
    }
  }

  /** Whether this node takes shards itself (placement skips it otherwise). */
  get storing(): boolean {
    return this.#state === 'running'
  }
}
