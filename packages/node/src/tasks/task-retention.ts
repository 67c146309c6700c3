// Finished tasks are kept for `taskRetention` so `defs tasks` can still show how an upload
// ended, then forgotten: without this the meta store grows by one record per transfer forever.
import type { TaskQueue } from './task-queue.ts'

/** How often the queue is swept; a finished task lives at most retention plus this long. */
export const TASK_PRUNE_INTERVAL = 60 * 60 * 1000

/** Prunes once now and then every TASK_PRUNE_INTERVAL until the returned close() is called. */
export async function keepTasksFor(
  tasks: TaskQueue,
  retentionMs: number,
  now: () => number = Date.now
): Promise<{ close: () => Promise<void> }> {
  const sweep = () => tasks.prune(now() - retentionMs)
  await sweep()
  let sweeping: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    // A failed sweep (meta store closing) is tried again at the next interval.
    sweeping = sweep().catch(() => {})
  }, TASK_PRUNE_INTERVAL)
  timer.unref()
  return {
    close: async () => {
      clearInterval(timer)
      await sweeping
    }
  }
}
