// What the dashboard charts: transfer and repair throughput of the last hour, one sample every
// 5 s, kept by the daemon (so a page opened now sees the hour before it). A sample holds the
// running tasks' rates by kind (bytes/s, as the tasks measure them) and the API's own bytes
// received and served per second since the sample before. 720 samples: a fixed 60 KiB or so.
import type { TaskRecord } from '@defs/node'

export const THROUGHPUT_INTERVAL_MS = 5000
const keep = 720

export type TaskKindRates = Record<TaskRecord['kind'], number>

export interface ThroughputSample extends TaskKindRates {
  /** ms since the epoch */
  at: number
  /** API bytes per second, in (uploads) and out (downloads) */
  received: number
  served: number
}

export class ThroughputHistory extends EventTarget {
  readonly #samples: ThroughputSample[] = []
  /** The totals of the sample before (at the start: none yet, since the daemon started). */
  #last: { at: number; received: number; served: number }

  constructor(started = Date.now()) {
    super()
    this.#last = { at: started, received: 0, served: 0 }
  }

  /** Records one sample from the task rates now and the API byte totals so far. */
  record(
    rates: TaskKindRates,
    totals: { received: number; served: number },
    at = Date.now()
  ): ThroughputSample {
    const last = this.#last
    const seconds = Math.max(0.001, (at - last.at) / 1000)
    const sample: ThroughputSample = {
      at,
      ...rates,
      received: Math.max(0, (totals.received - last.received) / seconds),
      served: Math.max(0, (totals.served - last.served) / seconds)
    }
    this.#last = { at, ...totals }
    this.#samples.push(sample)
    if (this.#samples.length > keep) this.#samples.shift()
    this.dispatchEvent(new CustomEvent('sample', { detail: sample }))
    return sample
  }

  /** The samples kept, oldest first. */
  list(): ThroughputSample[] {
    return [...this.#samples]
  }
}
