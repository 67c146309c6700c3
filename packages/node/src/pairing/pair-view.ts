// Who is paired with whom, as placement sees it: empty until the pairing service attaches its
// directory, so a node without pairing places exactly as before. It also remembers the pairs it
// was told of (bounded, the oldest forgotten first): the pairing directory forgets a peer that
// stops answering, but the repair service must still know, once both nodes of a pair are gone,
// that they were one (`lastPartnerOf`).

/** Pairs remembered after the directory forgot them. */
const REMEMBERED = 4096

export class PairView {
  #source: ((peer: string) => string | undefined) | undefined
  readonly #last = new Map<string, string>()

  /** The partner of `peer` (this node's own for itself), if known now. */
  partnerOf(peer: string): string | undefined {
    const partner = this.#source?.(peer)
    if (partner !== undefined) {
      this.#remember(peer, partner)
      this.#remember(partner, peer)
    }
    return partner
  }

  /** The partner of `peer` now, or the last one this view was told of. */
  lastPartnerOf(peer: string): string | undefined {
    return this.partnerOf(peer) ?? this.#last.get(peer)
  }

  /**
   * Each holder followed by its partner, now or last known (it keeps, or kept, a mirror copy of
   * what the holder holds), each peer once: who to ask for a shard or to tell of its delete.
   */
  withPartners(holders: readonly string[]): string[] {
    return [...new Set(holders.flatMap((h) => [h, this.lastPartnerOf(h) ?? h]))]
  }

  attach(source: ((peer: string) => string | undefined) | undefined): void {
    this.#source = source
  }

  #remember(peer: string, partner: string): void {
    this.#last.delete(peer)
    this.#last.set(peer, partner)
    if (this.#last.size > REMEMBERED) this.#last.delete(this.#last.keys().next().value!)
  }
}
