// Where a repair of a slice may place what it rebuilds. A pair mirrors its shards, so it is one
// failure domain: a paired holder of another shard of the slice may take one too while its pair
// keeps at most m of the slice; an unpaired holder (the rule of distinct holders) and a holder of
// a copy that failed an audit get none. When that leaves too few peers (a small network whose
// nodes came back with copies that were rebuilt elsewhere meanwhile), a holder whose every copy
// of the slice is a spare (another live holder has the same shard) may take one too: losing it
// then costs one shard of the slice, as the rule wants; a slice left short for want of room would
// stay short.
import { sliceLayout } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { NotEnoughPeersError } from '../errors.ts'
import type { LocatedFile } from '../files/resolve-file.ts'
import { choosePeers, pairKeyOf, placementOf } from '../peers/placement.ts'
import { isReplicated, type SliceNeed } from './slice-needs.ts'

/**
 * Whom a repair of a slice leaves out, and what counts against the per-pair bound: of the
 * holders of the slice's shards (`held`, per shard), the unpaired ones and `suspects` get none;
 * one peer per shard and pair counts against the bound.
 */
export function pairedRoom(
  held: readonly (readonly string[])[],
  suspects: ReadonlySet<string>,
  partnerOf: (peer: string) => string | undefined,
  options: { spares?: boolean } = {}
): { exclude: Set<string>; perPair: string[] } {
  // with spares: only an unpaired holder that is some shard's one live holder is left out
  const sole = (p: string): boolean => held.some((peers) => peers.includes(p) && peers.every((q) => q === p))
  const left = (p: string): boolean => partnerOf(p) === undefined && (options.spares !== true || sole(p))
  const exclude = new Set([...held.flat().filter(left), ...suspects])
  const perPair: string[] = []
  for (const peers of held) {
    const pairs = new Set<string>()
    for (const p of peers) {
      const key = pairKeyOf(partnerOf, p)
      if (pairs.has(key)) continue
      pairs.add(key)
      perPair.push(p)
    }
  }
  return { exclude, perPair }
}

/**
 * The room of pairedRoom for `wanted` shards of `bytes` each: the strict one, or the one with
 * spares when the strict one has too few peers; `more` adds the caller's own exclusions to
 * either. `found`: how many peers the chosen one offers.
 */
export function repairRoom(
  c: NodeComponents,
  held: readonly (readonly string[])[],
  suspects: ReadonlySet<string>,
  wanted: number,
  options: { bound: number; bytes: number; more?: (exclude: Set<string>) => void }
): { exclude: Set<string>; perPair: string[]; found: number } {
  let room = { exclude: new Set<string>(), perPair: [] as string[], found: 0 }
  for (const spares of [false, true]) {
    const r = pairedRoom(held, suspects, (p) => c.pairs.partnerOf(p), { spares })
    options.more?.(r.exclude)
    const found = choosePeers(placementOf(c), wanted, r.exclude, {
      perGroup: options.bound,
      perPair: options.bound,
      taken: r.perPair,
      bytes: options.bytes
    }).length
    room = { ...r, found }
    if (found >= wanted) break
  }
  return room
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
  const room = repairRoom(c, file.holders[i]!, suspects, wanted, {
    bound: Math.max(1, m.parityShards),
    bytes: sliceLayout(m, i).shardSize,
    // the replicated modes' copies are of one shard: never two on one peer
    more: (exclude) => {
      if (isReplicated(m)) for (const p of file.holders[i]![0] ?? []) exclude.add(p)
    }
  })
  if (room.found < wanted) {
    throw new NotEnoughPeersError(
      `repair of file ${file.fileIdHex} slice ${i} has ${wanted} shards to place on distinct peers, the network has ${room.found}`,
      wanted,
      room.found
    )
  }
}
