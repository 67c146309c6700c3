// A task while this process knows it: its record, the controller that pauses or cancels its run,
// and the context its runner gets, through which it reports progress and reaches consistent points.
import { randomBytes } from 'node:crypto'
import { TaskCancelledSignal, TaskPausedSignal } from '../errors.ts'
import type { RateMeter } from './rate-meter.ts'
import type { TaskContext, TaskKind, TaskRecord } from './task-types.ts'

export interface LiveTask {
  record: TaskRecord
  controller?: AbortController
  pending?: 'pause' | 'cancel'
  rate: RateMeter
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
