// node.tasks: the persisted uploads, downloads, repairs and migrations, and what a user may do
// to one. Pause and cancel take effect at the task's next consistent point.
import type { Lifecycle } from '../lifecycle.ts'
import type { TaskApi } from '../node-types.ts'
import type { TaskQueue } from './task-queue.ts'

export function createTaskApi(queue: TaskQueue, lifecycle: Lifecycle): TaskApi {
  return {
    list: () => queue.list(),
    get: (id) => queue.get(id),
    pause: (id) => queue.pause(id),
    resume: async (id) => {
      // A user's resume starts work again: refused in maintenance as a new task would be.
      lifecycle.admitTask(queue.get(id).kind)
      return queue.resume(id)
    },
    cancel: (id) => queue.cancel(id),
    settled: (id) => queue.settled(id)
  }
}
