// Who is paired with whom, as placement sees it: empty until the pairing service attaches its
// directory, so a node without pairing places exactly as before.
export class PairView {
  #source: ((peer: string) => string | undefined) | undefined

  /** The partner of `peer` (this node's own for itself), if known. */
  partnerOf(peer: string): string | undefined {
    return this.#source?.(peer)
  }

  attach(source: ((peer: string) => string | undefined) | undefined): void {
    this.#source = source
  }
}
