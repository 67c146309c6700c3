// The node's one lifecycle: which moves it allows, what it admits in each state, and its events.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createNodeEvents } from '../src/events.ts'
import { Lifecycle, type LifecycleChange } from '../src/lifecycle.ts'

describe('Lifecycle', () => {
  it('moves running <-> maintenance, then draining -> stopped, and says so in events', () => {
    const events = createNodeEvents()
    const seen: LifecycleChange[] = []
    events.addEventListener('lifecycle', (e) => seen.push(e.detail))
    let now = 1000
    const life = new Lifecycle(events, () => now)
    assert.equal(life.state, 'running')
    now = 2000
    life.enter('maintenance')
    life.enter('maintenance')
    now = 3000
    life.enter('running')
    life.enter('draining')
    assert.throws(() => life.enter('running'), /cannot go from draining to running/)
    life.enter('stopped')
    assert.throws(() => life.enter('maintenance'), /cannot go from stopped to maintenance/)
    assert.deepEqual(
      seen.map((c) => [c.previous, c.state, c.since]),
      [
        ['running', 'maintenance', 2000],
        ['maintenance', 'running', 3000],
        ['running', 'draining', 3000],
        ['draining', 'stopped', 3000]
      ]
    )
  })

  it('admits reads in maintenance and refuses changes, refuses all work once draining', () => {
    const life = new Lifecycle(createNodeEvents())
    assert.equal(life.putRefusal(), undefined)
    assert.equal(life.storing, true)
    life.admitTask('upload')
    life.enter('maintenance')
    assert.equal(life.putRefusal(), 'maintenance')
    assert.equal(life.storing, false)
    life.admitTask('download')
    for (const kind of ['upload', 'repair', 'migrate'] as const) {
      assert.throws(
        () => life.admitTask(kind),
        (err: Error & { retryAfter?: number }) => {
          assert.equal(err.name, 'UnderMaintenanceError')
          assert.match(err.message, new RegExp(`${kind} tasks are refused`))
          assert.equal(typeof err.retryAfter, 'number')
          return true
        }
      )
    }
    assert.throws(() => life.admitChange('deletes'), { name: 'UnderMaintenanceError' })
    life.enter('draining')
    assert.equal(life.putRefusal(), 'draining')
    assert.throws(() => life.admitTask('download'), { name: 'NodeStoppingError' })
  })
})
