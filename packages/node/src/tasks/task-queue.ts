// Persisted tasks with priorities and a bounded worker pool. Every state change is written to
// the meta store before it is announced, so after a crash `restore()` finds each task where it
// was: running ones go back to the queue and resume from their last checkpoint; paused ones stay
// paused. Pause and cancel take effect at the runner's next checkpoint (a consistent point).
import {
  busyTasks,
  cleanUp,
  finishedBefore,
  type LiveTask as Live,
  liveOf,
  newRecord,
  nextQueued,
  runnerContext,
  untilQuiet,
  wakeWaiters,
  whenSettled
} from './live-task.ts'
import { RateMeter } from './rate-meter.ts'
import {
  TaskCancelledSignal,
  type TaskKind,
  TaskPausedSignal,
  type TaskQueueOptions,
  type TaskRecord,
  type TaskRunner,
  TaskStateError,
  type TaskStore
} from './task-types.ts'

export type { TaskQueueOptions, TaskStore }

export class TaskQueue extends EventTarget {
  readonly #store: TaskStore
  readonly #workerNum: number
  // biome-ignore lint/suspicious/noExplicitAny: runners of different kinds share one map
  readonly #runners: Partial<Record<TaskKind, TaskRunner<any, any, any>>>
  readonly #admit: (kind: TaskKind) => void
  readonly #mayStart: (kind: TaskKind) => boolean
  readonly #now: () => number
  readonly #hooks = {
    now: () => this.#now(),
    persist: (r: TaskRecord) => this.#store.putTask(r.id, r),
    emit: (r: TaskRecord) => this.#emit(r)
  }
  readonly #tasks = new Map<string, Live>()
  /** The error a failed task threw, while this process runs (the record keeps only its message). */
  readonly #errors = new Map<string, Error>()
  #running = 0
  #closed = false

  constructor(options: TaskQueueOptions) {
    super()
    this.#store = options.store
    this.#workerNum = options.workerNum
    this.#runners = { ...options.runners }
    this.#admit = options.admit ?? (() => {})
    this.#mayStart = options.mayStart ?? (() => true)
    this.#now = options.now ?? Date.now
  }

  /** Adds the runner of a task kind (a service brings its own: repair, migrate); one per kind. */
  register<P, C, R>(kind: TaskKind, runner: TaskRunner<P, C, R>): void {
    if (this.#runners[kind] !== undefined)
      throw new TaskStateError(`a runner for ${kind} tasks is registered already`)
    this.#runners[kind] = runner
    this.#pump()
  }

  /** Starts what may start now: after the node leaves maintenance, say. */
  poke(): void {
    this.#pump()
  }

  /** Resolves once no task is being paused, cancelled or inside a critical step; rejects naming them after `timeoutMs`. */
  quiet(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return untilQuiet(() => busyTasks(this.#tasks.values()), timeoutMs, signal)
  }

  /** Forgets finished tasks (done, failed, cancelled) last changed before `before`; returns them. */
  async prune(before: number): Promise<string[]> {
    const old = finishedBefore(this.#tasks.values(), before)
    for (const id of old) await this.#store.deleteTask(id).then(() => this.#tasks.delete(id))
    return old
  }

  /** Loads persisted tasks: queued and running ones are queued again (resuming from checkpoint). */
  async restore(): Promise<void> {
    for await (const record of this.#store.tasks()) {
      if (this.#tasks.has(record.id)) continue
      if (record.state === 'running') record.state = 'queued'
      this.#tasks.set(record.id, { record, rate: new RateMeter(this.#now), waiters: [] })
    }
    this.#pump()
  }

  async submit<P>(kind: TaskKind, params: P, options: { priority?: number } = {}): Promise<TaskRecord<P>> {
    if (this.#closed) throw new TaskStateError('the task queue is stopped')
    if (this.#runners[kind] === undefined) throw new TaskStateError(`no runner for ${kind} tasks`)
    this.#admit(kind)
    const record = newRecord(kind, params, options.priority ?? 0, this.#now())
    await this.#store.putTask(record.id, record)
    this.#tasks.set(record.id, { record, rate: new RateMeter(this.#now), waiters: [] })
    this.#emit(record)
    this.#pump()
    return structuredClone(record)
  }

  get(id: string): TaskRecord {
    return structuredClone(liveOf(this.#tasks, id).record)
  }

  list(): TaskRecord[] {
    return [...this.#tasks.values()].map((t) => structuredClone(t.record))
  }

  /** The error a task failed with in this process, typed as thrown (undefined after a restart). */
  errorOf(id: string): Error | undefined {
    return this.#errors.get(id)
  }

  /** Resolves when the task reaches done, failed, cancelled or paused. */
  settled(id: string): Promise<TaskRecord> {
    return whenSettled(liveOf(this.#tasks, id))
  }

  /** Pauses a queued or running task (a running one stops at its next checkpoint). Idempotent. */
  async pause(id: string): Promise<TaskRecord> {
    const live = liveOf(this.#tasks, id)
    const { state } = live.record
    if (state === 'paused') return this.get(id)
    if (state === 'queued') {
      await this.#setState(live, 'paused')
      return this.get(id)
    }
    if (state !== 'running')
      throw new TaskStateError(`task ${id} is ${state}; only queued or running tasks pause`)
    live.pending = 'pause'
    live.controller?.abort(new TaskPausedSignal(`task ${id} paused`))
    return this.settled(id)
  }

  /** Queues a paused task again; it resumes from its last checkpoint. Idempotent. */
  async resume(id: string): Promise<TaskRecord> {
    const live = liveOf(this.#tasks, id)
    const { state } = live.record
    if (state === 'queued' || state === 'running') return this.get(id)
    if (state !== 'paused' && state !== 'failed') {
      throw new TaskStateError(`task ${id} is ${state}; only paused or failed tasks resume`)
    }
    live.record.error = undefined
    await this.#setState(live, 'queued')
    this.#pump()
    return this.get(id)
  }

  /** Cancels a task and cleans up after it (e.g. uploaded shards are deleted). Idempotent. */
  async cancel(id: string): Promise<TaskRecord> {
    const live = liveOf(this.#tasks, id)
    const { state } = live.record
    if (state === 'cancelled') return this.get(id)
    if (state === 'done') throw new TaskStateError(`task ${id} is done; delete the file instead`)
    if (state === 'running') {
      live.pending = 'cancel'
      live.controller?.abort(new TaskCancelledSignal(`task ${id} cancelled`))
      return this.settled(id)
    }
    await this.#cancelled(live)
    return this.get(id)
  }

  /** Pauses every running task at its next checkpoint and refuses new ones; they resume after restore(). */
  async stop(): Promise<void> {
    this.#closed = true
    const running = [...this.#tasks.values()].filter((t) => t.record.state === 'running')
    await Promise.all(
      running.map(async (t) => {
        t.pending = 'pause'
        t.controller?.abort(new TaskPausedSignal(`task ${t.record.id} paused: node stopping`))
        await this.settled(t.record.id)
        // Back to queued on disk, so the next start resumes it by itself.
        t.record.state = 'queued'
        await this.#store.putTask(t.record.id, t.record)
      })
    )
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#workerNum) {
      const next = nextQueued(
        this.#tasks.values(),
        (kind) => this.#runners[kind] !== undefined && this.#mayStart(kind)
      )
      if (next === undefined) return
      this.#running++
      void this.#run(next).finally(() => {
        this.#running--
        this.#pump()
      })
    }
  }

  async #run(live: Live): Promise<void> {
    const record = live.record
    const runner = this.#runners[record.kind]!
    live.controller = new AbortController()
    live.pending = undefined
    record.state = 'running'
    record.updated = this.#now()
    await this.#store.putTask(record.id, record)
    this.#emit(record)
    try {
      record.result = await runner.run(runnerContext(live, this.#hooks))
      if (live.pending === 'cancel') throw new TaskCancelledSignal('cancelled')
      await this.#setState(live, 'done')
    } catch (err) {
      const reason = live.controller.signal.aborted ? live.controller.signal.reason : err
      if (live.pending === 'pause' || reason instanceof TaskPausedSignal) await this.#setState(live, 'paused')
      else if (live.pending === 'cancel' || reason instanceof TaskCancelledSignal) await this.#cancelled(live)
      else {
        this.#errors.set(record.id, err as Error)
        record.error = (err as Error).message
        await this.#setState(live, 'failed')
      }
    } finally {
      live.controller = undefined
      live.pending = undefined
    }
  }

  async #cancelled(live: Live): Promise<void> {
    await cleanUp(this.#runners[live.record.kind], live.record)
    await this.#setState(live, 'cancelled')
  }

  async #setState(live: Live, state: TaskRecord['state']): Promise<void> {
    live.record.state = state
    live.record.updated = this.#now()
    if (state !== 'running') live.record.progress.rate = 0
    await this.#store.putTask(live.record.id, live.record)
    this.#emit(live.record)
    wakeWaiters(live)
  }

  #emit(record: TaskRecord): void {
    this.dispatchEvent(new CustomEvent('task', { detail: structuredClone(record) }))
  }
}
