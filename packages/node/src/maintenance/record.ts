// What maintenance mode persists (the meta store's `/state/maintenance`) and reports while it works.
import type { TaskKind, TaskProgress } from '../tasks/task-types.ts'

export type MaintenanceState = 'off' | 'entering' | 'on' | 'leaving'

/** A task maintenance paused: enough to show it, and its id to resume exactly it. */
export interface PausedTask {
  id: string
  kind: TaskKind
  params: unknown
  progress: TaskProgress
  pausedAt: number
}

export interface MaintenanceRecord {
  state: MaintenanceState
  /** When the current state began (for `on`: when maintenance was switched on), ms since the epoch. */
  since: number
  /** Tasks paused by maintenance and not yet resumed. */
  paused: PausedTask[]
  /** After `off`: the tasks it resumed (or found cancelled meanwhile). */
  restored?: PausedTask[]
}

export interface MaintenanceProgress {
  state: MaintenanceState
  phase: 'waiting' | 'pausing' | 'resuming' | 'done'
  /** Tasks in this phase's scope. */
  tasks: number
  /** Of those, paused now (pausing) or still paused (resuming). */
  paused?: number
}
