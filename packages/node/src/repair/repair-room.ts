// Where a repair of a slice may place what it rebuilds. A pair mirrors its shards, so it is one
// failure domain: a paired holder of another shard of the slice may take one too while its pair
// keeps at most m of the slice; an unpaired holder (the rule of distinct holders) and a holder of
// a copy that failed an audit get none.
import { sliceLayout } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { NotEnoughPeersError } from '../errors.ts'
import type { LocatedFile } from '../files/resolve-file.ts'
import { choosePeers, placementOf } from '../peers/placement.ts'
import { isReplicated, type SliceNeed } from './slice-needs.ts'

/**
 * Whom a repair of a slice leaves out, and what counts against the per-pair bound: of the
 * holders of the slice's shards (`held`, per shard), the unpaired ones and `suspects` get none;
 * one peer per shard and pair counts against the bound.
 */
export function pairedRoom(
  held: readonly (readonly string[])[],
  suspects: ReadonlySet<string>,
  partnerOf: (peer: string) => string | undefined
): { exclude: Set<string>; perPair: string[] } {
  const exclude = new Set([...held.flat().filter((p) => partnerOf(p) === undefined), ...suspects])
  const perPair: string[] = []
  for (const peers of held) {
    const pairs = new Set<string>()
    for (const p of peers) {
      const partner = partnerOf(p)
      const key = partner === undefined ? p : [p, partner].sort().join('+')
      if (pairs.has(key)) continue
      pairs.add(key)
      perPair.push(p)
    }
  }
  return { exclude, perPair }
}

/** Throws NotEnoughPeersError, before any fetch, when too few peers could take the slice's rebuilt shards. */
export function checkRoom(
  c: NodeComponents,
  file: LocatedFile,
  need: SliceNeed,
  suspects: ReadonlySet<string>
): void {
  const m = file.manifest
  const i = need.slice
  const wanted = isReplicated(m) ? need.copies : need.missing.length
  const { exclude, perPair } = pairedRoom(file.holders[i]!, suspects, (p) => c.pairs.partnerOf(p))
  // the replicated modes' copies are of one shard: never two on one peer
  if (isReplicated(m)) for (const p of file.holders[i]![0] ?? []) exclude.add(p)
  const bound = Math.max(1, m.parityShards)
  const room = choosePeers(placementOf(c), wanted, exclude, {
    perGroup: bound,
    perPair: bound,
    taken: perPair,
    bytes: sliceLayout(m, i).shardSize
  })
  if (room.length < wanted) {
    throw new NotEnoughPeersError(
      `repair of file ${file.fileIdHex} slice ${i} has ${wanted} shards to place on distinct peers, the network has ${room.length}`,
      wanted,
      room.length
    )
  }
}
