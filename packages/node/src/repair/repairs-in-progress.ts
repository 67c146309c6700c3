// Which files a repair task of this node is queued, running or paused for, read off the task
// list (a repair task's params name its file): what the repair service asks before it queues
// another, and what node.files shows beside a file (`FileInfo.repair`).
import { finalStates, type TaskRecord, type TaskState } from '../tasks/task-types.ts'
import type { RepairParams } from './repair-task.ts'

export interface RepairInProgress {
  /** The repair task's id (node.tasks, GET /v1/tasks/:id). */
  task: string
  state: Exclude<TaskState, 'done' | 'failed' | 'cancelled'>
}

/** file id (hex) -> its repair not yet finished; a running one wins over one that waits. */
export function repairsInProgress(tasks: Iterable<TaskRecord>): Map<string, RepairInProgress> {
  const out = new Map<string, RepairInProgress>()
  for (const t of tasks) {
    if (t.kind !== 'repair' || finalStates.includes(t.state)) continue
    const { fileIdHex } = t.params as RepairParams
    if (out.get(fileIdHex)?.state === 'running') continue
    out.set(fileIdHex, { task: t.id, state: t.state as RepairInProgress['state'] })
  }
  return out
}
