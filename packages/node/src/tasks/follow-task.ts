// Waiting for a task the caller started (a put, a get): its progress forwarded, its end turned
// into the result or into the error it failed, was paused or was cancelled with.
import { TaskCancelledError, TaskPausedError } from '../errors.ts'
import type { TaskQueue } from './task-queue.ts'
import type { TaskProgress, TaskRecord } from './task-types.ts'

export async function followTask(
  tasks: TaskQueue,
  taskId: string,
  onProgress?: (progress: TaskProgress) => void
): Promise<TaskRecord> {
  const listener = (e: Event): void => {
    const r = (e as CustomEvent<TaskRecord>).detail
    if (r.id === taskId) onProgress?.(r.progress)
  }
  if (onProgress !== undefined) tasks.addEventListener('task', listener)
  try {
    const done = await tasks.settled(taskId)
    if (done.state === 'done') return done
    if (done.state === 'failed') throw tasks.errorOf(taskId) ?? new Error(done.error)
    if (done.state === 'cancelled') throw new TaskCancelledError(`task ${taskId} was cancelled`)
    throw new TaskPausedError(`task ${taskId} is paused; resume it with: defs tasks resume ${taskId}`)
  } finally {
    tasks.removeEventListener('task', listener)
  }
}
