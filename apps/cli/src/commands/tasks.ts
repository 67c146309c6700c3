// defs tasks [pause|resume|cancel ID]: the node's uploads, downloads and repairs, and control of
// one. `defs tasks ID` shows one task.
import type { TaskRecord } from '@defs/node'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import type { TaskAction } from '../client.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatRate, table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

const actions: readonly string[] = ['pause', 'resume', 'cancel'] satisfies TaskAction[]

export default defineCommand({
  meta: { name: 'tasks', description: 'List tasks, show one, or pause/resume/cancel one' },
  args: {
    action: {
      type: 'positional',
      required: false,
      description: 'pause, resume or cancel (or a task id to show)',
      valueHint: 'ACTION'
    },
    id: { type: 'positional', required: false, description: 'task id', valueHint: 'ID' },
    ...clientArgs
  },
  async run({ args }) {
    const client = await connect(args)
    if (args.action === undefined) {
      const tasks = await client.tasks()
      if (args.json) return printJson(tasks)
      if (tasks.length === 0) return printLine('no tasks')
      return printLine(table(['ID', 'KIND', 'STATE', 'PROGRESS', 'RATE', 'ERROR'], tasks.map(taskRow)))
    }
    let task: TaskRecord
    if (actions.includes(args.action)) {
      if (args.id === undefined)
        throw new UserError(`defs tasks ${args.action} needs a task id (see defs tasks)`)
      if (args.action === 'pause') refuseUnresumable(await client.task(args.id))
      task = await client.taskAction(args.id, args.action as TaskAction)
    } else {
      if (args.id !== undefined)
        throw new UserError(`unknown task action ${JSON.stringify(args.action)}; use pause, resume or cancel`)
      task = await client.task(args.action)
    }
    if (args.json) return printJson(task)
    printLine(table(['ID', 'KIND', 'STATE', 'PROGRESS', 'RATE', 'ERROR'], [taskRow(task)]))
  }
})

/**
 * An upload fed by a stream (stdin, or a file the daemon could not read itself) has nothing to
 * read from once paused: refuse the pause rather than leave a task that cannot resume.
 */
function refuseUnresumable(task: TaskRecord): void {
  const params = task.params as { path?: string | null }
  if (task.kind === 'upload' && params.path === null && (task.state === 'running' || task.state === 'queued'))
    throw new UserError(
      `upload ${task.id} reads from a stream (stdin), which cannot be read again once paused; cancel it, or let it finish`
    )
}

function taskRow(t: TaskRecord): string[] {
  const p = t.progress
  const done = p.bytesTotal
    ? `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}`
    : formatBytes(p.bytesDone)
  return [t.id, t.kind, t.state, done, t.state === 'running' ? formatRate(p.rate) : '-', t.error ?? '']
}
