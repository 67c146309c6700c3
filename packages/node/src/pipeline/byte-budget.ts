// Bytes in flight through one transfer, bounded by bufferSize: a reader takes before it reads a
// slice, the consumer gives back when it is done with it. One claim is always let through, so a
// slice larger than the whole budget still moves (alone).

export class ByteBudget {
  readonly limit: number
  private used = 0
  private waiting: { bytes: number; resolve: () => void }[] = []

  constructor(limit: number) {
    this.limit = limit
  }

  get inFlight(): number {
    return this.used
  }

  /** Resolves once `bytes` fit beside what is in flight (or nothing is in flight). Claims are served in order. */
  take(bytes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) {
      this.used += bytes
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push({ bytes, resolve }))
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes)
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!
      this.used += next.bytes
      next.resolve()
    }
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit
  }
}
