import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PhiAccrualDetector, phiOf } from '@defs/pairing'

const options = { maxSamples: 1000, minStdDeviationMs: 100, acceptablePauseMs: 0, firstIntervalMs: 1000 }

function beating(every: number, count: number, acceptablePauseMs = 0): PhiAccrualDetector {
  const d = new PhiAccrualDetector({ ...options, acceptablePauseMs })
  for (let i = 0; i < count; i++) d.heartbeat(i * every)
  return d
}

describe('phi accrual failure detector', () => {
  it('is calm at the expected interval and grows without bound with the silence', () => {
    const d = beating(1000, 20)
    const last = d.lastHeartbeat!
    assert.ok(d.phi(last + 1000) < 1, `phi at the mean: ${d.phi(last + 1000)}`)
    const phis = [1500, 2000, 3000, 5000].map((t) => d.phi(last + t))
    for (let i = 1; i < phis.length; i++) assert.ok(phis[i]! > phis[i - 1]!, `phis rise: ${phis}`)
    assert.ok(phis.at(-1)! > 8, `5 s of silence on a 1 s beat is a failure: ${phis}`)
  })

  it('adds the acceptable pause: a 2 s pause allowed does not reach the threshold', () => {
    const strict = beating(1000, 20)
    const lenient = beating(1000, 20, 2000)
    const at = strict.lastHeartbeat! + 2500
    assert.ok(strict.phi(at) > 8)
    assert.ok(lenient.phi(at) < 1, `lenient phi ${lenient.phi(at)}`)
  })

  it('keeps a floor under the deviation, so jitter on a perfectly regular link is not alarming', () => {
    const d = beating(1000, 500)
    assert.ok(d.phi(d.lastHeartbeat! + 1150) < 3, `phi ${d.phi(d.lastHeartbeat! + 1150)}`)
  })

  it('learns a slower link: a 3 s beat makes 3 s of silence normal', () => {
    const d = beating(3000, 50)
    assert.ok(d.phi(d.lastHeartbeat! + 3000) < 1)
    assert.ok(beating(1000, 50).phi(49_000 + 3000) > 8)
  })

  it('is 0 before the first heartbeat, and defined right after it', () => {
    const d = new PhiAccrualDetector(options)
    assert.equal(d.phi(123), 0)
    d.heartbeat(0)
    assert.ok(d.phi(1000) < 1)
    assert.ok(d.phi(10_000) > 8)
  })

  it('phiOf matches the normal tail where it is well known', () => {
    // one deviation above the mean: the tail is 0.1587, -log10 = 0.80
    assert.ok(Math.abs(phiOf(1100, 1000, 100) - 0.8) < 0.01)
    assert.ok(Number.isFinite(phiOf(1e9, 1000, 100)))
  })
})
