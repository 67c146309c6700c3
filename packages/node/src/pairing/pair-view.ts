// Who is paired with whom, as placement sees it: empty until the pairing service attaches its
// directory, so a node without pairing places exactly as before. It also remembers the pairs it
// was told of (bounded, the oldest forgotten first): the pairing directory forgets a peer that
// stops answering, but the repair service must still know, once both nodes of a pair are gone,
// that they were one (`lastPartnerOf`). And it looks a peer's pairing record up in the DHT
// (`lookup`): through the pairing service when it runs (which refuses an epoch below one it has
// seen), else straight from the DHT (signed by both peers it names, as every DHT node checks).
import type { FileRouting } from '@defs/net'
import type { Pairing } from '@defs/pairing'

/** Pairs remembered after the directory forgot them. */
const REMEMBERED = 4096

/** A pairing record found in the DHT: its record and its two peers. */
export type FoundPairing = Pick<Pairing, 'record' | 'peers'>

export class PairView {
  #source: ((peer: string) => string | undefined) | undefined
  #lookup: ((peer: string) => Promise<FoundPairing | undefined>) | undefined
  readonly #routing: Pick<FileRouting, 'getPairing'> | undefined
  readonly #last = new Map<string, string>()

  constructor(routing?: Pick<FileRouting, 'getPairing'>) {
    this.#routing = routing
  }

  /** `peer`'s newest pairing record in the DHT, checked; undefined when there is none. */
  async lookup(peer: string): Promise<FoundPairing | undefined> {
    if (this.#lookup !== undefined) return await this.#lookup(peer)
    return await this.#routing?.getPairing(peer, { signal: AbortSignal.timeout(15_000) })
  }

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

  attach(
    source: ((peer: string) => string | undefined) | undefined,
    lookup?: (peer: string) => Promise<FoundPairing | undefined>
  ): void {
    this.#source = source
    this.#lookup = lookup
  }

  #remember(peer: string, partner: string): void {
    this.#last.delete(peer)
    this.#last.set(peer, partner)
    if (this.#last.size > REMEMBERED) this.#last.delete(this.#last.keys().next().value!)
  }
}
