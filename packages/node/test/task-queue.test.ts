import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MetaStore } from '../src/disk/meta-store.ts'
import { TaskQueue } from '../src/tasks/task-queue.ts'
import { keepTasksFor } from '../src/tasks/task-retention.ts'
import type { TaskContext, TaskRecord, TaskRunner } from '../src/tasks/task-types.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-tasks-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

interface Count {
  steps: number
  label?: string
}
interface Step {
  next: number
}

/** Counts to params.steps, one checkpoint per step, waiting on a gate so tests control the pace. */
class CountingRunner implements TaskRunner<Count, Step, string> {
  readonly log: string[] = []
  readonly cleaned: string[] = []
  gate: Promise<void> = Promise.resolve()
  readonly started: string[] = []

  async run(ctx: TaskContext<Count, Step>): Promise<string> {
    this.started.push(ctx.params.label ?? ctx.id)
    for (let i = ctx.checkpoint?.next ?? 0; i < ctx.params.steps; i++) {
      await this.gate
      this.log.push(`${ctx.params.label ?? ctx.id}:${i}`)
      ctx.progress({ slicesDone: i + 1, bytesDone: (i + 1) * 100 })
      await ctx.save({ next: i + 1 })
    }
    return `counted ${ctx.params.steps}`
  }

  async cleanup(params: Count, checkpoint: Step | undefined): Promise<void> {
    this.cleaned.push(`${params.label}:${checkpoint?.next ?? 0}`)
  }
}

function deferred(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((r) => {
    open = r
  })
  return { promise, open }
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5))
  assert.ok(cond(), `timed out waiting for ${what}`)
}

describe('TaskQueue', () => {
  it('runs a task to done with its result and progress', async () => {
    const store = await MetaStore.open(join(root, 'a'))
    const runner = new CountingRunner()
    const queue = new TaskQueue({ store, workerNum: 2, runners: { upload: runner } })
    const events: TaskRecord[] = []
    queue.addEventListener('task', (e) => events.push((e as CustomEvent<TaskRecord>).detail))
    const task = await queue.submit('upload', { steps: 3, label: 'x' })
    const done = await queue.settled(task.id)
    assert.equal(done.state, 'done')
    assert.equal(done.result, 'counted 3')
    assert.equal(done.progress.slicesDone, 3)
    assert.deepEqual(runner.log, ['x:0', 'x:1', 'x:2'])
    assert.deepEqual([...new Set(events.map((e) => e.state))], ['queued', 'running', 'done'])
    await store.close()
  })

  it('runs at most workerNum tasks at once, higher priority first', async () => {
    const store = await MetaStore.open(join(root, 'b'))
    const runner = new CountingRunner()
    const gate = deferred()
    runner.gate = gate.promise
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: runner } })
    const first = await queue.submit('upload', { steps: 1, label: 'first' })
    const low = await queue.submit('upload', { steps: 1, label: 'low' }, { priority: 0 })
    const high = await queue.submit('upload', { steps: 1, label: 'high' }, { priority: 5 })
    await waitFor(() => runner.started.length === 1, 'first start')
    assert.equal(queue.get(low.id).state, 'queued')
    gate.open()
    for (const t of [first, low, high]) assert.equal((await queue.settled(t.id)).state, 'done')
    assert.deepEqual(runner.started, ['first', 'high', 'low'])
    await store.close()
  })

  it('pauses at a checkpoint and resumes from it', async () => {
    const store = await MetaStore.open(join(root, 'c'))
    const runner = new CountingRunner()
    let gate = deferred()
    runner.gate = gate.promise
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: runner } })
    const task = await queue.submit('upload', { steps: 4, label: 'p' })
    await waitFor(() => runner.started.length === 1, 'start')
    const pausing = queue.pause(task.id)
    gate.open()
    const paused = await pausing
    assert.equal(paused.state, 'paused')
    assert.deepEqual(paused.checkpoint, { next: 1 })
    assert.deepEqual(runner.log, ['p:0'])
    assert.equal((await queue.pause(task.id)).state, 'paused', 'pause is idempotent')
    gate = deferred()
    runner.gate = gate.promise
    gate.open()
    await queue.resume(task.id)
    const done = await queue.settled(task.id)
    assert.equal(done.state, 'done')
    assert.deepEqual(runner.log, ['p:0', 'p:1', 'p:2', 'p:3'])
    await store.close()
  })

  it('cancels a running task and cleans up what it left', async () => {
    const store = await MetaStore.open(join(root, 'd'))
    const runner = new CountingRunner()
    const gate = deferred()
    runner.gate = gate.promise
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: runner } })
    const task = await queue.submit('upload', { steps: 5, label: 'c' })
    await waitFor(() => runner.started.length === 1, 'start')
    const cancelling = queue.cancel(task.id)
    gate.open()
    assert.equal((await cancelling).state, 'cancelled')
    assert.deepEqual(runner.cleaned, ['c:1'])
    assert.equal((await queue.cancel(task.id)).state, 'cancelled', 'cancel is idempotent')
    await assert.rejects(queue.resume(task.id), { name: 'TaskStateError' })
    await store.close()
  })

  it('after a crash, a running task resumes from its last checkpoint', async () => {
    const path = join(root, 'e')
    const store = await MetaStore.open(path)
    const runner = new CountingRunner()
    const gate = deferred()
    runner.gate = Promise.resolve()
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: runner } })
    // Steps 0 and 1 run, then the runner blocks; the process "dies" (the store closes under it).
    let calls = 0
    const original = runner.run.bind(runner)
    runner.run = async (ctx) => {
      const saveOriginal = ctx.save
      const ctx2 = {
        ...ctx,
        save: async (cp: Step) => {
          await saveOriginal(cp)
          if (++calls === 2) await gate.promise
        }
      }
      return original(ctx2)
    }
    const task = await queue.submit('upload', { steps: 4, label: 'r' })
    await waitFor(() => runner.log.length === 2, 'two steps')
    await store.close()

    const store2 = await MetaStore.open(path)
    const runner2 = new CountingRunner()
    const queue2 = new TaskQueue({ store: store2, workerNum: 1, runners: { upload: runner2 } })
    await queue2.restore()
    const done = await queue2.settled(task.id)
    assert.equal(done.state, 'done')
    assert.deepEqual(runner2.log, ['r:2', 'r:3'])
    await store2.close()
  })

  it('names unknown tasks and refuses impossible transitions', async () => {
    const store = await MetaStore.open(join(root, 'f'))
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: new CountingRunner() } })
    assert.throws(() => queue.get('nope'), { name: 'TaskNotFoundError', message: 'no task nope' })
    await assert.rejects(queue.submit('repair', {}), {
      name: 'TaskStateError',
      message: 'no runner for repair tasks'
    })
    const t = await queue.submit('upload', { steps: 1 })
    await queue.settled(t.id)
    await assert.rejects(queue.pause(t.id), { name: 'TaskStateError' })
    await store.close()
  })

  it('forgets finished tasks past their retention, on disk too, and keeps the rest', async () => {
    const path = join(root, 'g')
    const store = await MetaStore.open(path)
    let clock = 1_000
    const runner = new CountingRunner()
    const queue = new TaskQueue({ store, workerNum: 1, runners: { upload: runner }, now: () => clock })
    const old = await queue.submit('upload', { steps: 1, label: 'old' })
    await queue.settled(old.id)
    clock = 5_000
    const recent = await queue.submit('upload', { steps: 1, label: 'recent' })
    await queue.settled(recent.id)
    const gate = deferred()
    runner.gate = gate.promise
    const waiting = await queue.submit('upload', { steps: 1, label: 'waiting' })
    clock = 10_000

    const stop = await keepTasksFor(queue, 6_000, () => clock)
    assert.throws(() => queue.get(old.id), { name: 'TaskNotFoundError' })
    assert.equal(queue.get(recent.id).state, 'done')
    assert.notEqual(queue.get(waiting.id).state, 'done')
    gate.open()
    await queue.settled(waiting.id)
    await stop.close()
    await store.close()

    const reopened = await MetaStore.open(path)
    const kept: string[] = []
    for await (const t of reopened.tasks()) kept.push(t.id)
    assert.deepEqual(kept.sort(), [recent.id, waiting.id].sort())
    await reopened.close()
  })
})
