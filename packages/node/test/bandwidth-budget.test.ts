// The pacer of repairs and pair migrations, on the test runner's mock clock: what it lets through
// at once, how long it holds what ran ahead, and that an abort ends the wait.
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { BandwidthBudget } from '../src/steps/bandwidth-budget.ts'

const RATE = 100_000 // bytes per second

/** Whether `p` has settled once the microtasks queued so far have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false
  p.then(
    () => (done = true),
    () => (done = true)
  )
  for (let i = 0; i < 10; i++) await Promise.resolve()
  return done
}

describe('bandwidth budget', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }))
  afterEach(() => mock.timers.reset())

  it("lets one second's worth through at once, then holds each byte beyond it for its share of a second", async () => {
    const budget = new BandwidthBudget(RATE)
    assert.equal(await settled(budget.spend(RATE)), true)
    const ahead = budget.spend(RATE / 10) // 100 ms of bytes beyond the budget
    mock.timers.tick(99)
    assert.equal(await settled(ahead), false)
    mock.timers.tick(1)
    assert.equal(await settled(ahead), true)
  })

  it('saves up at most one second, however long it was idle', async () => {
    const budget = new BandwidthBudget(RATE)
    await budget.spend(RATE)
    mock.timers.tick(10_000)
    const twoSeconds = budget.spend(2 * RATE)
    mock.timers.tick(999)
    assert.equal(await settled(twoSeconds), false)
    mock.timers.tick(1)
    assert.equal(await settled(twoSeconds), true)
  })

  it('ends the wait when its signal aborts, with the reason', async () => {
    const budget = new BandwidthBudget(RATE)
    await budget.spend(RATE)
    const abort = new AbortController()
    const waiting = budget.spend(RATE, abort.signal)
    abort.abort(new Error('task paused'))
    await assert.rejects(waiting, /task paused/)
  })
})
