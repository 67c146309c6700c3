// Which shards of a file have lost both copies of a pair: a recorded holder of the shard was
// paired, and neither it nor its partner holds the shard live now. The pair was one failure
// domain and it failed whole (both nodes gone, or one gone and the other's copy rotted); the
// slice's other shards are what repair rebuilds it from. A holder that is gone answers no
// lookup, so who held what comes from the checks before (LastHolders).
import type { Manifest } from '@defs/segment'
import { toHex } from '../disk/hex.ts'
import type { PairLost } from '../events.ts'

export function lostPairCopies(
  manifest: Pick<Manifest, 'slices'>,
  /** Recorded holders, [slice][shard] -> peers. */
  holders: string[][][],
  /** Holders that have the shard now, [slice][shard] -> peers. */
  live: string[][][],
  lastPartnerOf: (peer: string) => string | undefined
): Omit<PairLost, 'fileIdHex'>[] {
  const lost: Omit<PairLost, 'fileIdHex'>[] = []
  manifest.slices.forEach((s, i) => {
    s.shards.forEach((id, j) => {
      const alive = new Set(live[i]?.[j] ?? [])
      const pairs = new Map<string, [string, string]>()
      for (const h of holders[i]?.[j] ?? []) {
        const partner = lastPartnerOf(h)
        if (partner === undefined || alive.has(h) || alive.has(partner)) continue
        const pair = [h, partner].sort() as [string, string]
        pairs.set(pair.join(), pair)
      }
      for (const pair of pairs.values()) lost.push({ slice: i, shard: toHex(id), pair })
    })
  })
  return lost
}

/** Files whose last holders are remembered, the least recently checked forgotten first. */
const FILES_REMEMBERED = 10_000

/** Per file and shard, the holders last seen live: who held what once they are gone. */
export class LastHolders {
  readonly #files = new Map<string, string[][][]>()

  /**
   * Holders of each shard: those recorded now and those last seen live (kept until a check sees
   * the shard live elsewhere). Remembers this check's live holders for the next.
   */
  remember(fileIdHex: string, recorded: string[][][], live: string[][][]): string[][][] {
    const before = this.#files.get(fileIdHex)
    const known = recorded.map((slice, i) =>
      slice.map((peers, j) => [...new Set([...peers, ...(before?.[i]?.[j] ?? [])])])
    )
    const next = live.map((slice, i) =>
      slice.map((peers, j) => (peers.length > 0 ? [...peers] : (before?.[i]?.[j] ?? [])))
    )
    this.#files.delete(fileIdHex)
    this.#files.set(fileIdHex, next)
    if (this.#files.size > FILES_REMEMBERED) this.#files.delete(this.#files.keys().next().value!)
    return known
  }
}
