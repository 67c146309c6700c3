// Maintenance mode: an operator stops all background work for an upgrade and gets exactly that
// work back afterwards. `on`, in this order: wait until no task is mid-transition (being paused
// or cancelled, or inside a critical step), persist the flag (the lifecycle refuses new work and
// holds queued background tasks from here), wait again for anything that started in between,
// pause every running background task at its next consistent point, and record which ones it
// paused. `off`: resume exactly the recorded tasks still paused, mark the record restored, then
// clear the flag. Each phase is persisted before it acts, so after a crash the node comes back in
// maintenance and the same command finishes the job. One call at a time (a queue).
import type { NodeComponents } from '../components.ts'
import { heldInMaintenance } from '../lifecycle.ts'
import { finalStates, type TaskRecord } from '../tasks/task-types.ts'
import type { MaintenanceProgress, MaintenanceRecord, PausedTask } from './record.ts'

const STATE = 'maintenance'

export interface MaintenanceOptions {
  /** How long to wait for tasks to reach a consistent point before giving up (nothing changed then). */
  timeoutMs?: number
  onProgress?: (progress: MaintenanceProgress) => void
}

export class Maintenance {
  readonly #c: NodeComponents
  #queue: Promise<unknown> = Promise.resolve()

  constructor(components: NodeComponents) {
    this.#c = components
  }

  /** At start: a node that was in maintenance (or entering or leaving it) comes back in it. */
  async restore(): Promise<void> {
    const record = await this.status()
    if (record.state !== 'off') this.#c.lifecycle.enter('maintenance')
  }

  async status(): Promise<MaintenanceRecord> {
    return (await this.#c.meta.getState<MaintenanceRecord>(STATE)) ?? { state: 'off', since: 0, paused: [] }
  }

  on(options: MaintenanceOptions = {}): Promise<MaintenanceRecord> {
    return this.#serial(() => this.#on(options))
  }

  off(options: MaintenanceOptions = {}): Promise<MaintenanceRecord> {
    return this.#serial(() => this.#off(options))
  }

  async #on({ timeoutMs = 600_000, onProgress }: MaintenanceOptions): Promise<MaintenanceRecord> {
    const c = this.#c
    const before = await this.status()
    if (before.state === 'on') return before
    const report = (p: Omit<MaintenanceProgress, 'state'>) =>
      this.#report({ state: 'entering', ...p }, onProgress)
    report({ phase: 'waiting', tasks: c.tasks.list().length })
    // First wait: nothing mid-transition when the flag goes on, so nothing half-paused is missed.
    if (before.state === 'off') await c.tasks.quiet(timeoutMs)
    const since = before.state === 'off' ? Date.now() : before.since
    const entering: MaintenanceRecord = { state: 'entering', since, paused: before.paused }
    await c.meta.putState(STATE, entering)
    c.lifecycle.enter('maintenance')
    // Second wait: what started between the first wait and the flag.
    await c.tasks.quiet(timeoutMs)
    const running = c.tasks.list().filter((t) => t.state === 'running' && heldInMaintenance.includes(t.kind))
    report({ phase: 'pausing', tasks: running.length, paused: 0 })
    let done = 0
    const paused = await Promise.all(
      running.map(async (t) => {
        // A task that ended between the listing and the pause has nothing left to pause.
        const record = await c.tasks.pause(t.id).catch((err: unknown) => {
          const now = c.tasks.get(t.id)
          if (finalStates.includes(now.state)) return now
          throw err
        })
        report({ phase: 'pausing', tasks: running.length, paused: ++done })
        return record
      })
    )
    const record: MaintenanceRecord = {
      state: 'on',
      since,
      paused: merge(before.paused, paused.filter((t) => t.state === 'paused').map(pausedTask))
    }
    await c.meta.putState(STATE, record)
    this.#report(
      { state: 'on', phase: 'done', tasks: record.paused.length, paused: record.paused.length },
      onProgress
    )
    return record
  }

  async #off({ onProgress }: MaintenanceOptions): Promise<MaintenanceRecord> {
    const c = this.#c
    const before = await this.status()
    if (before.state === 'off') return before
    await c.meta.putState(STATE, { ...before, state: 'leaving' } satisfies MaintenanceRecord)
    let resumed = 0
    const resuming = () =>
      this.#report(
        {
          state: 'leaving',
          phase: 'resuming',
          tasks: before.paused.length,
          paused: before.paused.length - resumed
        },
        onProgress
      )
    resuming()
    const states = new Map(c.tasks.list().map((t) => [t.id, t.state]))
    for (const p of before.paused) {
      // A task cancelled (or finished) meanwhile stays as it is; only what is still paused resumes.
      if (states.get(p.id) === 'paused') await c.tasks.resume(p.id)
      resumed++
      resuming()
    }
    const record: MaintenanceRecord = { state: 'off', since: Date.now(), paused: [], restored: before.paused }
    await c.meta.putState(STATE, record)
    // Leaving maintenance releases the queued and resumed tasks (the queue listens).
    c.lifecycle.enter('running')
    this.#report({ state: 'off', phase: 'done', tasks: before.paused.length, paused: 0 }, onProgress)
    return record
  }

  #report(progress: MaintenanceProgress, onProgress?: (p: MaintenanceProgress) => void): void {
    onProgress?.(progress)
    this.#c.events.safeDispatchEvent('maintenance', { detail: progress })
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => {})
    return run
  }
}

function pausedTask(t: TaskRecord): PausedTask {
  return { id: t.id, kind: t.kind, params: t.params, progress: t.progress, pausedAt: t.updated }
}

/** Tasks recorded by an earlier, interrupted `on`, and those paused now, each once. */
function merge(earlier: PausedTask[], now: PausedTask[]): PausedTask[] {
  const ids = new Set(now.map((t) => t.id))
  return [...earlier.filter((t) => !ids.has(t.id)), ...now]
}
