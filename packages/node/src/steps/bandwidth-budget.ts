// The bytes per second a kind of background work of a node may move together (all repairs:
// `repairBandwidth`; pair migration: `pairMigrationBandwidth`): the work spends what it fetched
// or sent and waits when it ran ahead, so rebuilding a lost holder's shards or filling a new
// partner never takes the link from user transfers. At most one second's worth is saved up.
export class BandwidthBudget {
  readonly bytesPerSecond: number
  #tokens: number
  #at: number
  readonly #now: () => number

  constructor(bytesPerSecond: number, now: () => number = Date.now) {
    this.bytesPerSecond = bytesPerSecond
    this.#tokens = bytesPerSecond
    this.#now = now
    this.#at = now()
  }

  /** Takes `bytes` from the budget, waiting (abortably) until the budget has caught up with them. */
  async spend(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = this.#now()
    this.#tokens = Math.min(
      this.bytesPerSecond,
      this.#tokens + ((now - this.#at) * this.bytesPerSecond) / 1000
    )
    this.#at = now
    this.#tokens -= bytes
    if (this.#tokens >= 0) return
    const waitMs = (-this.#tokens * 1000) / this.bytesPerSecond
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, waitMs)
      function done(): void {
        signal?.removeEventListener('abort', aborted)
        resolve()
      }
      function aborted(): void {
        clearTimeout(timer)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', aborted, { once: true })
    })
  }
}
