// A transfer rate over a sliding window of a few seconds, so a progress bar shows the current
// speed rather than the average since start (which hides stalls).
export class RateMeter {
  readonly #now: () => number
  readonly #windowMs: number
  readonly #samples: { t: number; bytes: number }[] = []

  constructor(now: () => number = Date.now, windowMs = 5000) {
    this.#now = now
    this.#windowMs = windowMs
  }

  /** Records the running byte count; returns bytes per second over the window. */
  sample(bytes: number): number {
    const t = this.#now()
    this.#samples.push({ t, bytes })
    while (this.#samples.length > 2 && this.#samples[0]!.t < t - this.#windowMs) this.#samples.shift()
    const first = this.#samples[0]!
    const dt = (t - first.t) / 1000
    return dt > 0 ? (bytes - first.bytes) / dt : 0
  }
}
