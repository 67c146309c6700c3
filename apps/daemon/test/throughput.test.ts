// The dashboard's throughput history: rates from the API's byte totals between samples, the task
// rates as given, an hour kept and no more, and each sample announced to the event streams.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { THROUGHPUT_INTERVAL_MS, ThroughputHistory } from '../src/throughput.ts'

const idle = { upload: 0, download: 0, repair: 0, migrate: 0 }

describe('ThroughputHistory', () => {
  it('turns byte totals into bytes per second since the sample before, from the start on', () => {
    const history = new ThroughputHistory(0)
    const first = history.record({ ...idle, upload: 7 }, { received: 10_000, served: 0 }, 5000)
    assert.deepEqual(first, { at: 5000, ...idle, upload: 7, received: 2000, served: 0 })
    const second = history.record(idle, { received: 10_000, served: 4000 }, 7000)
    assert.equal(second.received, 0)
    assert.equal(second.served, 2000)
  })

  it('keeps the last hour only (720 samples of 5 s), oldest first, and announces each', () => {
    const history = new ThroughputHistory(0)
    const heard: number[] = []
    history.addEventListener('sample', (e) => heard.push((e as CustomEvent<{ at: number }>).detail.at))
    for (let i = 1; i <= 800; i++)
      history.record(idle, { received: 0, served: 0 }, i * THROUGHPUT_INTERVAL_MS)
    const kept = history.list()
    assert.equal(kept.length, 720)
    assert.equal(kept[0]!.at, 81 * THROUGHPUT_INTERVAL_MS)
    assert.equal(kept.at(-1)!.at, 800 * THROUGHPUT_INTERVAL_MS)
    assert.equal(heard.length, 800)
  })
})
