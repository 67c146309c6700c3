// Per-peer bounds on concurrent streams and bytes in flight, taken before any buffer is allocated
// and given back when the request ends, however it ends. Any protocol can use one.

export interface PeerBudgetLimits {
  /** Requests one peer may have open at once (both directions counted apart). */
  maxStreamsPerPeer: number
  /** Bytes one peer may have in flight to or from us at once. Default: unbounded (streams only). */
  maxBytesInFlightPerPeer?: number
}

interface Usage {
  streams: number
  bytes: number
}

export class PeerBudget {
  private readonly maxStreams: number
  private readonly maxBytes: number
  private readonly usage = new Map<string, Usage>()

  constructor(limits: PeerBudgetLimits) {
    this.maxStreams = limits.maxStreamsPerPeer
    this.maxBytes = limits.maxBytesInFlightPerPeer ?? Number.POSITIVE_INFINITY
  }

  /** Take a stream slot; false when the peer already has the maximum open. */
  openStream(peer: string): boolean {
    const u = this.of(peer)
    if (u.streams >= this.maxStreams) return false
    u.streams++
    return true
  }

  closeStream(peer: string): void {
    const u = this.usage.get(peer)
    if (u === undefined) return
    u.streams = Math.max(0, u.streams - 1)
    this.forgetIdle(peer, u)
  }

  /** Reserve `bytes` in flight; false when that would exceed the peer's bound. */
  reserveBytes(peer: string, bytes: number): boolean {
    const u = this.of(peer)
    if (u.bytes + bytes > this.maxBytes) return false
    u.bytes += bytes
    return true
  }

  releaseBytes(peer: string, bytes: number): void {
    const u = this.usage.get(peer)
    if (u === undefined) return
    u.bytes = Math.max(0, u.bytes - bytes)
    this.forgetIdle(peer, u)
  }

  /** What the peer holds now (for tests and metrics). */
  inUse(peer: string): Usage {
    const u = this.usage.get(peer)
    return { streams: u?.streams ?? 0, bytes: u?.bytes ?? 0 }
  }

  private of(peer: string): Usage {
    let u = this.usage.get(peer)
    if (u === undefined) {
      u = { streams: 0, bytes: 0 }
      this.usage.set(peer, u)
    }
    return u
  }

  private forgetIdle(peer: string, u: Usage): void {
    if (u.streams === 0 && u.bytes === 0) this.usage.delete(peer)
  }
}
