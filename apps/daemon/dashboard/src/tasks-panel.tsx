// Tasks with their live progress (from the event stream) and the three things a user may do to one.
import type { TaskAction, TaskLine } from '@defs/client'
import { useState } from 'preact/hooks'
import { bytes, percent } from './format.ts'
import { client } from './live-node.ts'

const actionsFor: Record<TaskLine['state'], TaskAction[]> = {
  queued: ['pause', 'cancel'],
  running: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  done: [],
  failed: [],
  cancelled: []
}

export function TasksPanel(props: { tasks: Map<string, TaskLine> }) {
  const [error, setError] = useState<string | undefined>()
  const tasks = [...props.tasks.values()].sort((a, b) => b.created - a.created).slice(0, 100)
  const act = async (id: string, action: TaskAction) => {
    setError(undefined)
    await client.taskAction(id, action).catch((err: Error) => setError(err.message))
  }
  return (
    <section id="tasks" class="card">
      <h2>Tasks</h2>
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Kind</th>
            <th>State</th>
            <th>Progress</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => {
            const done = t.progress.bytesDone
            const total = t.progress.bytesTotal ?? 0
            return (
              <tr key={t.id} data-task={t.id} data-state={t.state} data-kind={t.kind}>
                <td>{t.kind}</td>
                <td class="state">{t.state}</td>
                <td>
                  <progress max={100} value={t.state === 'done' ? 100 : percent(done, total)} /> {bytes(done)}
                  {total > 0 && ` of ${bytes(total)}`}
                  {t.state === 'running' && t.progress.rate > 0 && ` · ${bytes(t.progress.rate)}/s`}
                  {t.error !== undefined && <span class="error"> {t.error}</span>}
                </td>
                <td>
                  {actionsFor[t.state].map((a) => (
                    <button key={a} type="button" data-action={a} onClick={() => act(t.id, a)}>
                      {a}
                    </button>
                  ))}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}
