// Who is paired with whom, as this node last heard it from each peer's own status (heartbeat
// answers). Placement reads it to keep at most m shards of a slice on one pair. Bounded: the
// least recently heard peer is forgotten first.
export interface PeerPairing {
  partner?: string
  epoch: number
  /** When it was heard, ms since the epoch. */
  at: number
}

export class PairDirectory {
  readonly #max: number
  readonly #entries = new Map<string, PeerPairing>()

  constructor(max = 4096) {
    this.#max = max
  }

  heard(peer: string, pairing: PeerPairing): void {
    this.#entries.delete(peer)
    this.#entries.set(peer, pairing)
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!)
  }

  /**
   * The partner `peer` named in its last status, if that partner named `peer` back (or was not
   * heard from): a claim only one side makes is not a pair.
   */
  partnerOf(peer: string): string | undefined {
    const partner = this.#entries.get(peer)?.partner
    if (partner === undefined) return undefined
    const back = this.#entries.get(partner)
    return back === undefined || back.partner === peer ? partner : undefined
  }

  /** Whether `peer`'s pairing (or that it has none) was heard at all. */
  knows(peer: string): boolean {
    return this.#entries.has(peer)
  }

  forget(peer: string): void {
    this.#entries.delete(peer)
  }
}
