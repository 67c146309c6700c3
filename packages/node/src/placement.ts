// Where a slice's shards go: distinct peers, chosen by score from the best tier at random (so no
// one can predict, and pre-position for, where a file lands), this node included: it is a
// storage node like the others. A slice never has two shards on one peer while the code is at
// most as wide as the network, so losing one peer costs each slice at most one shard.
import type { PeerScorer } from '@defs/kbucket'

export class PlacementError extends Error {
  override name = 'PlacementError'
}

export interface PlacementContext {
  scorer: PeerScorer
  /** Peers that can take shards now (connected, speaking the shard protocol), this node included. */
  candidates(): string[]
}

/** `n` distinct peers outside `exclude`; fewer only when fewer exist. */
export function choosePeers(
  ctx: PlacementContext,
  n: number,
  exclude: ReadonlySet<string> = new Set()
): string[] {
  const candidates = new Set(ctx.candidates().filter((p) => !exclude.has(p)))
  for (const id of candidates) if (!ctx.scorer.has(id)) ctx.scorer.observe(id, {})
  const chosen = ctx.scorer.select(Math.min(n, candidates.size), {
    filter: (id) => candidates.has(id),
    diversity: 'group'
  })
  return chosen
}
