// Refuses signed requests that were seen before or that are too old or too far in the future.
// Nonces are kept only while their request could still pass the time check, so memory stays
// bounded by the request rate times the window, and by `maxEntries` beyond that.

export interface ReplayGuardOptions {
  /** How far a request's time may be from ours, either way, in ms. Default 5 minutes. */
  windowMs?: number
  /** Nonces remembered at most; when full, new requests are refused rather than old ones forgotten. */
  maxEntries?: number
  now?: () => number
}

export type ReplayVerdict = 'ok' | 'replayed' | 'stale' | 'full'

export class ReplayGuard {
  private readonly windowMs: number
  private readonly maxEntries: number
  private readonly now: () => number
  /** nonce key -> time after which it can be forgotten */
  private readonly seen = new Map<string, number>()

  constructor(options: ReplayGuardOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000
    this.maxEntries = options.maxEntries ?? 100_000
    this.now = options.now ?? Date.now
  }

  /** Record `key` (signer + nonce) used at `time`; the verdict says whether to accept it. */
  check(key: string, time: number): ReplayVerdict {
    const now = this.now()
    if (!Number.isFinite(time) || Math.abs(now - time) > this.windowMs) return 'stale'
    this.prune(now)
    if (this.seen.has(key)) return 'replayed'
    if (this.seen.size >= this.maxEntries) return 'full'
    this.seen.set(key, time + this.windowMs)
    return 'ok'
  }

  get size(): number {
    return this.seen.size
  }

  private prune(now: number): void {
    // Map keeps insertion order, which is close to expiry order; stop at the first live entry
    for (const [key, expires] of this.seen) {
      if (expires >= now) break
      this.seen.delete(key)
    }
  }
}
