// Requests per second per peer, as a token bucket: a peer may send `burst` requests at once and
// `perSecond` on average. The serving side refuses past it (tryTake); the asking side waits for a
// token (take) with a smaller bucket, so an honest client never trips the server's.

export interface RequestRateOptions {
  perSecond: number
  burst: number
  now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

/** Peers whose bucket is full again are forgotten once this many are tracked. */
const PRUNE_AT = 4096

export class RequestRate {
  private readonly perMs: number
  private readonly burst: number
  private readonly now: () => number
  private readonly buckets = new Map<string, Bucket>()

  constructor(options: RequestRateOptions) {
    for (const key of ['perSecond', 'burst'] as const) {
      const value = options[key]
      if (!(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`request rate ${key} must be a positive finite number, got ${value}`)
      }
    }
    this.perMs = options.perSecond / 1000
    this.burst = options.burst
    this.now = options.now ?? Date.now
  }

  /** Take a token for `peer` if it has one; false when it is over its rate. */
  tryTake(peer: string): boolean {
    const bucket = this.refill(peer)
    if (bucket.tokens < 1) return false
    bucket.tokens--
    return true
  }

  /** Wait until `peer` has a token and take it (rejects with the signal's reason). */
  async take(peer: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      if (this.tryTake(peer)) return
      const bucket = this.buckets.get(peer)!
      const waitMs = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs))
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          clearTimeout(timer)
          reject(signal!.reason)
        }
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }, waitMs)
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
  }

  private refill(peer: string): Bucket {
    const now = this.now()
    let bucket = this.buckets.get(peer)
    if (bucket === undefined) {
      if (this.buckets.size >= PRUNE_AT) this.prune(now)
      bucket = { tokens: this.burst, at: now }
      this.buckets.set(peer, bucket)
      return bucket
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs)
    bucket.at = now
    return bucket
  }

  private prune(now: number): void {
    for (const [peer, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(peer)
    }
  }
}
