// A download task followed from the CLI: its progress drawn from the task record, its end (done,
// failed, cancelled, paused) turned into a result or a one-line error. Ctrl-C pauses the task
// rather than abandoning it, so `defs tasks resume ID` goes on from the last slice written.
import type { GetResult, TaskRecord } from '@defs/node'
import type { ApiClient } from '../client.ts'
import { ProgressBar } from '../progress-bar.ts'
import { UserError } from '../user-error.ts'

/** How often the task is asked how far it got. */
const pollMs = 200

export async function followDownload(
  client: ApiClient,
  task: TaskRecord,
  label: string,
  total: number,
  progress: boolean
): Promise<GetResult> {
  const bar = new ProgressBar(label, total, progress ? process.stderr : undefined)
  let interrupted: string | undefined
  const pause = (signal: string) => {
    interrupted = signal
  }
  process.once('SIGINT', pause)
  process.once('SIGTERM', pause)
  try {
    for (let t = task; ; t = await client.task(task.id)) {
      bar.update(t.progress.bytesDone)
      if (t.state === 'done') return t.result as GetResult
      if (t.state === 'failed')
        throw new UserError(`download ${t.id} failed: ${t.error ?? 'no reason given'}`)
      if (t.state === 'cancelled') throw new UserError(`download ${t.id} was cancelled`)
      if (t.state === 'paused')
        throw new UserError(
          `download ${t.id} is paused; defs tasks resume ${t.id} goes on from the last slice`
        )
      if (interrupted !== undefined) {
        await client.taskAction(task.id, 'pause').catch(() => {})
        throw new UserError(
          `${interrupted}: download ${t.id} paused; defs tasks resume ${t.id} goes on from the last slice`
        )
      }
      await new Promise((r) => setTimeout(r, pollMs))
    }
  } finally {
    process.off('SIGINT', pause)
    process.off('SIGTERM', pause)
    bar.finish()
  }
}
