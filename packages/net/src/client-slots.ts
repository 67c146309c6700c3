// Our own requests to one peer wait here for a stream slot and room for their bytes, so a
// thousand parallel puts queue on our side instead of tripping the peer's per-peer caps.

interface Waiter {
  bytes: number
  resolve: () => void
  reject: (err: unknown) => void
}

interface PeerSlots {
  streams: number
  bytes: number
  waiters: Waiter[]
}

export class ClientSlots {
  private readonly maxStreams: number
  private readonly maxBytes: number
  private readonly peers = new Map<string, PeerSlots>()

  constructor(maxStreams: number, maxBytes: number) {
    this.maxStreams = maxStreams
    this.maxBytes = maxBytes
  }

  /** Wait for a slot for a request moving `bytes`; call the returned function once when done. */
  async acquire(peer: string, bytes: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted()
    const slots = this.of(peer)
    if (slots.waiters.length === 0 && this.fits(slots, bytes)) {
      slots.streams++
      slots.bytes += bytes
    } else {
      // wake() takes the slot for us before it resolves
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { bytes, resolve, reject }
        slots.waiters.push(waiter)
        signal?.addEventListener(
          'abort',
          () => {
            const at = slots.waiters.indexOf(waiter)
            if (at === -1) return
            slots.waiters.splice(at, 1)
            reject(signal.reason)
            this.wake(peer, slots)
          },
          { once: true }
        )
      })
    }
    let released = false
    return () => {
      if (released) return
      released = true
      slots.streams--
      slots.bytes -= bytes
      this.wake(peer, slots)
    }
  }

  /** A request bigger than the byte bound still goes, alone. */
  private fits(slots: PeerSlots, bytes: number): boolean {
    if (slots.streams >= this.maxStreams) return false
    return slots.bytes === 0 || slots.bytes + bytes <= this.maxBytes
  }

  private wake(peer: string, slots: PeerSlots): void {
    // admit waiters in order while they fit
    while (slots.waiters.length > 0) {
      const next = slots.waiters[0]!
      if (!this.fits(slots, next.bytes)) break
      slots.waiters.shift()
      slots.streams++
      slots.bytes += next.bytes
      next.resolve()
    }
    if (slots.streams === 0 && slots.waiters.length === 0) this.peers.delete(peer)
  }

  private of(peer: string): PeerSlots {
    let slots = this.peers.get(peer)
    if (slots === undefined) {
      slots = { streams: 0, bytes: 0, waiters: [] }
      this.peers.set(peer, slots)
    }
    return slots
  }
}
