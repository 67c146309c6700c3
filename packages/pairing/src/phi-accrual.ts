// The phi accrual failure detector (Hayashibara et al.; Akka's variant): from the intervals between
// heartbeats it learns what is normal for this link and says how unlikely the current silence is,
// phi = -log10(P(a heartbeat arrives later than this)). phi 8 means a 1 in 10^8 chance of being
// wrong if the partner is alive. The acceptable pause is added to the mean, so a GC pause or a
// slow disk of that length never counts; the deviation has a floor, so a very regular link does
// not make a few ms of jitter look fatal. Pure: every method takes the time.

export interface PhiAccrualOptions {
  /** Intervals remembered (a sliding window). */
  maxSamples: number
  /** Floor of the standard deviation, ms. */
  minStdDeviationMs: number
  /** Silence that is not counted against the peer at all, ms. */
  acceptablePauseMs: number
  /** The interval assumed before any was measured, ms (the heartbeat interval). */
  firstIntervalMs: number
}

export class PhiAccrualDetector {
  readonly #options: PhiAccrualOptions
  readonly #intervals: number[] = []
  #sum = 0
  #squares = 0
  #last: number | undefined

  constructor(options: PhiAccrualOptions) {
    this.#options = options
  }

  /** When the last heartbeat arrived (undefined before the first). */
  get lastHeartbeat(): number | undefined {
    return this.#last
  }

  heartbeat(now: number): void {
    if (this.#last === undefined) {
      // Seed the window as Akka does: two intervals around the expected one, so phi is defined
      // (and not alarmed) from the first heartbeat on.
      const mean = this.#options.firstIntervalMs
      const deviation = mean / 4
      this.#add(mean - deviation)
      this.#add(mean + deviation)
    } else {
      this.#add(Math.max(0, now - this.#last))
    }
    this.#last = now
  }

  /** How suspicious the silence since the last heartbeat is at `now`; 0 before the first heartbeat. */
  phi(now: number): number {
    if (this.#last === undefined) return 0
    const n = this.#intervals.length
    const mean = this.#sum / n
    const variance = Math.max(0, this.#squares / n - mean * mean)
    const deviation = Math.max(Math.sqrt(variance), this.#options.minStdDeviationMs)
    return phiOf(now - this.#last, mean + this.#options.acceptablePauseMs, deviation)
  }

  #add(interval: number): void {
    this.#intervals.push(interval)
    this.#sum += interval
    this.#squares += interval * interval
    if (this.#intervals.length > this.#options.maxSamples) {
      const old = this.#intervals.shift()!
      this.#sum -= old
      this.#squares -= old * old
    }
  }
}

/**
 * -log10 of the normal tail beyond `elapsed`, by the logistic approximation of the normal CDF
 * Akka uses (within 0.0002 of it everywhere), which stays finite far into the tail.
 */
export function phiOf(elapsed: number, mean: number, deviation: number): number {
  const y = (elapsed - mean) / deviation
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y))
  const tail = elapsed > mean ? e / (1 + e) : 1 - 1 / (1 + e)
  return -Math.log10(Math.max(tail, Number.MIN_VALUE))
}
