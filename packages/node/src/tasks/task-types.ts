// What a task is, as persisted in the meta store and shown by the API and CLI.
export type TaskKind = 'upload' | 'download' | 'repair' | 'migrate'
export type TaskState = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled'

export interface TaskProgress {
  bytesDone: number
  bytesTotal?: number
  slicesDone: number
  slicesTotal?: number
  shardsDone: number
  /** Bytes per second over the last few seconds of running. */
  rate: number
}

export interface TaskRecord<P = unknown, C = unknown, R = unknown> {
  id: string
  kind: TaskKind
  state: TaskState
  /** Higher runs first; ties run in submission order. */
  priority: number
  created: number
  updated: number
  /** What the task was asked to do (kind-specific, JSON). */
  params: P
  /** How far it got: enough to resume after a pause or a crash (kind-specific, JSON). */
  checkpoint?: C
  progress: TaskProgress
  result?: R
  error?: string
}

export const finalStates: readonly TaskState[] = ['done', 'failed', 'cancelled']

export {
  TaskCancelledSignal,
  TaskNotFoundError,
  TaskPausedSignal,
  TaskStateError
} from '../errors.ts'

export interface TaskContext<P, C> {
  readonly id: string
  readonly params: P
  /** The last checkpoint saved (after a pause or a crash), undefined on a first run. */
  readonly checkpoint: C | undefined
  /** Aborted when the task is paused or cancelled: pass it to I/O that can stop early. */
  readonly signal: AbortSignal
  /** Report progress (merged into the record; persisted with the next checkpoint). */
  progress(update: Partial<Omit<TaskProgress, 'rate'>>): void
  /**
   * A consistent point: persist `checkpoint`, then throw TaskPausedSignal or TaskCancelledSignal
   * if a pause or cancel is pending. Call it after each unit of work (a shard, a slice).
   */
  save(checkpoint: C): Promise<void>
  /**
   * Runs `work` as one step that must not be cut (publishing what a repair placed, say):
   * maintenance waits until no task is inside one before it pauses anything.
   */
  critical<T>(work: () => Promise<T>): Promise<T>
}

export interface TaskRunner<P = unknown, C = unknown, R = unknown> {
  run(ctx: TaskContext<P, C>): Promise<R>
  /** Undo what a cancelled task left behind (e.g. delete uploaded shards). */
  cleanup?(params: P, checkpoint: C | undefined): Promise<void>
}

export interface TaskQueueOptions {
  store: TaskStore
  /** Tasks that run at once. */
  workerNum: number
  // Each kind has its own params, checkpoint and result types; the queue only stores and passes them.
  // biome-ignore lint/suspicious/noExplicitAny: runners of different kinds share one map
  runners?: Partial<Record<TaskKind, TaskRunner<any, any, any>>>
  /** Throws when a new task of `kind` may not start now (the node's lifecycle: maintenance, draining). */
  admit?: (kind: TaskKind) => void
  /** Whether a queued task of `kind` may start now (maintenance holds background work); default yes. */
  mayStart?: (kind: TaskKind) => boolean
  now?: () => number
}

/** Where tasks persist: the meta store, or any store a test hands in. */
export interface TaskStore {
  putTask(taskId: string, task: TaskRecord): Promise<void>
  deleteTask(taskId: string): Promise<void>
  tasks(): AsyncIterable<TaskRecord>
}
