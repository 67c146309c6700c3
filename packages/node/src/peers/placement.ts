// Where shards go: distinct peers, chosen by score from the best tier at random (so no one can
// predict, and pre-position for, where a file lands), this node included: it is a storage node
// like the others, unless its lifecycle says it takes no shards now (maintenance, draining). A
// slice never has two shards on one peer while the code is at most as wide as the network, so
// losing one peer costs each slice at most one shard.
import type { PeerScorer } from '@defs/kbucket'
import type { NodeComponents } from '../components.ts'

export interface PlacementContext {
  scorer: PeerScorer
  /** Peers that can take shards now (connected, speaking the shard protocol), this node included. */
  candidates(): string[]
}

/** This node (when it stores now) and every connected peer. */
export function placementCandidates(c: Pick<NodeComponents, 'peerId' | 'host' | 'lifecycle'>): string[] {
  const peers = c.host.getPeers().map(String)
  return c.lifecycle.storing ? [c.peerId, ...peers] : peers
}

/** `n` distinct peers outside `exclude`; fewer only when fewer exist. */
export function choosePeers(
  ctx: PlacementContext,
  n: number,
  exclude: ReadonlySet<string> = new Set()
): string[] {
  const candidates = new Set(ctx.candidates().filter((p) => !exclude.has(p)))
  for (const id of candidates) if (!ctx.scorer.has(id)) ctx.scorer.observe(id, {})
  return ctx.scorer.select(Math.min(n, candidates.size), {
    filter: (id) => candidates.has(id),
    diversity: 'group'
  })
}
