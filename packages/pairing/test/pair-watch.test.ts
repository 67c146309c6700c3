import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PairWatch, resolvePairingOptions } from '@defs/pairing'

// Every call takes the time: a 1 s heartbeat, suspect after 3 s, silent after 30 s, maintenance
// waited for 10 min.
const options = resolvePairingOptions({ pairMaintenanceMax: 600_000 })

/** Heartbeats answered every second from `from` to `until`. */
function beating(from: number, until: number, watch = new PairWatch(options, 0)): PairWatch {
  for (let t = from; t <= until; t += 1000) watch.answered(t, 5)
  return watch
}

describe('PairWatch', () => {
  it('a partner in maintenance is `maintenance`, silent or not, until the maximum from its first such status', () => {
    const watch = beating(1000, 10_000)
    watch.reported(10_000, 'maintenance')
    watch.reported(20_000, 'maintenance') // still the first report's time that counts
    assert.equal(watch.health(10_000 + 31_000), 'maintenance', 'silent past the failure timeout')
    assert.equal(watch.maintenance(10_000 + 31_000), 31_000)
    assert.equal(watch.health(10_000 + 599_999), 'maintenance')
    assert.equal(watch.health(10_000 + 600_000), 'silent', 'beyond the maximum, silent: the usual rule')
  })

  it('beyond the maximum a partner still answering in maintenance is `overdue`', () => {
    const watch = beating(1000, 10_000)
    watch.reported(10_000, 'maintenance')
    beating(11_000, 10_000 + 600_000, watch)
    assert.equal(watch.health(10_000 + 600_000), 'overdue')
  })

  it('a partner running again is judged by its heartbeats alone, and a new maintenance counts anew', () => {
    const watch = beating(1000, 10_000)
    watch.reported(10_000, 'maintenance')
    watch.reported(500_000, 'running')
    assert.equal(watch.maintenance(500_000), undefined)
    assert.equal(watch.health(500_000), 'silent')
    beating(501_000, 700_000, watch)
    watch.reported(700_000, 'maintenance')
    assert.equal(watch.health(700_000 + 300_000), 'maintenance')
  })
})
