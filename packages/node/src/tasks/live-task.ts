// A task while this process knows it: its record, the controller that pauses or cancels its run,
// and the context its runner gets, through which it reports progress and reaches consistent points.
import { randomBytes } from 'node:crypto'
import { TaskCancelledSignal, TaskNotFoundError, TaskPausedSignal, TaskStateError } from '../errors.ts'
import type { RateMeter } from './rate-meter.ts'
import {
  finalStates,
  type TaskContext,
  type TaskKind,
  type TaskRecord,
  type TaskRunner
} from './task-types.ts'

export interface LiveTask {
  record: TaskRecord
  controller?: AbortController
  pending?: 'pause' | 'cancel'
  rate: RateMeter
  /** Steps under way that must not be cut (TaskContext.critical). */
  critical?: number
  waiters: { resolve: (r: TaskRecord) => void }[]
}

export interface ContextHooks {
  now: () => number
  persist: (record: TaskRecord) => Promise<void>
  emit: (record: TaskRecord) => void
}

export function runnerContext(live: LiveTask, hooks: ContextHooks): TaskContext<unknown, unknown> {
  const record = live.record
  return {
    id: record.id,
    params: record.params,
    checkpoint: record.checkpoint,
    signal: live.controller!.signal,
    progress: (update) => {
      Object.assign(record.progress, update)
      if (update.bytesDone !== undefined) record.progress.rate = live.rate.sample(update.bytesDone)
      record.updated = hooks.now()
      hooks.emit(record)
    },
    critical: async (work) => {
      live.critical = (live.critical ?? 0) + 1
      try {
        return await work()
      } finally {
        live.critical = (live.critical ?? 1) - 1
      }
    },
    save: async (checkpoint) => {
      record.checkpoint = checkpoint
      record.updated = hooks.now()
      await hooks.persist(record)
      if (live.pending === 'pause') throw new TaskPausedSignal(`task ${record.id} paused`)
      if (live.pending === 'cancel') throw new TaskCancelledSignal(`task ${record.id} cancelled`)
    }
  }
}

export function newRecord<P>(kind: TaskKind, params: P, priority: number, now: number): TaskRecord<P> {
  return {
    id: randomBytes(8).toString('hex'),
    kind,
    state: 'queued',
    priority,
    created: now,
    updated: now,
    params,
    progress: { bytesDone: 0, slicesDone: 0, shardsDone: 0, rate: 0 }
  }
}

/** The queued task to run next: highest priority, then oldest; kinds without a runner wait. */
export function nextQueued(
  tasks: Iterable<LiveTask>,
  runnable: (kind: TaskKind) => boolean
): LiveTask | undefined {
  let best: LiveTask | undefined
  for (const t of tasks) {
    if (t.record.state !== 'queued' || !runnable(t.record.kind)) continue
    if (best === undefined || t.record.priority > best.record.priority) best = t
    else if (t.record.priority === best.record.priority && t.record.created < best.record.created) best = t
  }
  return best
}

/** Ids of tasks being paused or cancelled, or inside a critical step. */
export function busyTasks(tasks: Iterable<LiveTask>): string[] {
  const out: string[] = []
  for (const t of tasks) if (t.pending !== undefined || (t.critical ?? 0) > 0) out.push(t.record.id)
  return out
}

/** Resolves once `busy()` is empty; rejects naming what is still busy after `timeoutMs`. */
export async function untilQuiet(
  busy: () => string[],
  timeoutMs: number,
  signal?: AbortSignal
): Promise<void> {
  for (const until = Date.now() + timeoutMs; ; ) {
    const ids = busy()
    if (ids.length === 0) return
    if (Date.now() >= until) {
      throw new TaskStateError(`tasks ${ids.join(', ')} did not reach a consistent point in ${timeoutMs} ms`)
    }
    signal?.throwIfAborted()
    await new Promise((r) => setTimeout(r, 25))
  }
}

const settledStates: readonly TaskRecord['state'][] = [...finalStates, 'paused']

/** Resolves with the record once the task is done, failed, cancelled or paused. */
export function whenSettled(live: LiveTask): Promise<TaskRecord> {
  if (settledStates.includes(live.record.state)) return Promise.resolve(structuredClone(live.record))
  return new Promise((resolve) => live.waiters.push({ resolve }))
}

/** Called after each state change: wakes whoever waits for the task to settle, once it has. */
export function wakeWaiters(live: LiveTask): void {
  if (!settledStates.includes(live.record.state)) return
  for (const w of live.waiters.splice(0)) w.resolve(structuredClone(live.record))
}

/** Ids of tasks that ended (done, failed, cancelled) and last changed before `before`. */
export function finishedBefore(tasks: Iterable<LiveTask>, before: number): string[] {
  const out: string[] = []
  for (const t of tasks)
    if (finalStates.includes(t.record.state) && t.record.updated < before) out.push(t.record.id)
  return out
}

/** Runs a cancelled task's cleanup; a failing cleanup is noted on the record, the cancel stands. */
export async function cleanUp(
  // biome-ignore lint/suspicious/noExplicitAny: runners of different kinds share one map
  runner: TaskRunner<any, any, any> | undefined,
  record: TaskRecord
): Promise<void> {
  try {
    await runner?.cleanup?.(record.params, record.checkpoint)
  } catch (err) {
    record.error = `cancelled; cleanup failed: ${(err as Error).message}`
  }
}

export function liveOf(tasks: Map<string, LiveTask>, id: string): LiveTask {
  const live = tasks.get(id)
  if (live === undefined) throw new TaskNotFoundError(`no task ${id}`)
  return live
}
