import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { secureRandom, seededRandom } from '@defs/kbucket'

function histogram(random: () => number, draws: number): number[] {
  const bins = new Array<number>(10).fill(0)
  for (let i = 0; i < draws; i++) {
    const x = random()
    assert.ok(x >= 0 && x < 1, String(x))
    bins[Math.floor(x * 10)]!++
  }
  return bins
}

describe('random sources', () => {
  it('seededRandom replays a seed, differs between seeds, and is uniform in [0, 1)', () => {
    const a = seededRandom(1)
    const b = seededRandom(1)
    const c = seededRandom(2)
    const first = Array.from({ length: 8 }, a)
    assert.deepEqual(first, Array.from({ length: 8 }, b))
    assert.notDeepEqual(first, Array.from({ length: 8 }, c))
    for (const n of histogram(seededRandom(3), 20_000)) assert.ok(n > 1800 && n < 2200, String(n))
  })

  it('secureRandom is uniform in [0, 1) and does not repeat', () => {
    for (const n of histogram(secureRandom, 20_000)) assert.ok(n > 1700 && n < 2300, String(n))
    assert.equal(new Set(Array.from({ length: 1000 }, secureRandom)).size, 1000)
  })
})
