// Where shards go: distinct peers, chosen by score from the best tier at random (so no one can
// predict, and pre-position for, where a file lands), this node included: it is a storage node
// like the others, unless its lifecycle says it takes no shards now (maintenance, draining).
// Proven peers (trusted, or past probation) come first; strangers fill in only when too few are
// proven, and the uploader says so. Spread over network groups, and never more than `perGroup`
// shards of a slice in one group of unproven peers, so a swarm of fresh identities on one
// network cannot take a slice down by leaving.
import type { PeerScorer } from '@defs/kbucket'
import { networkGroupOf } from '@defs/kbucket'
import type { NodeComponents } from '../components.ts'

export interface PlacementContext {
  scorer: PeerScorer
  /** Peers that can take shards now (connected, speaking the shard protocol), this node included. */
  candidates(): string[]
  /** Peers placed on first (trusted, known, this node); default every peer. */
  proven?: (peerId: string) => boolean
  /** A peer's network group, for the per-group bound on unproven peers; default none. */
  groupOf?: (peerId: string) => string | undefined
  /** A peer's pair partner, for the per-pair bound; default none (every peer a pair of its own). */
  pairOf?: (peerId: string) => string | undefined
}

/**
 * A peer whose audit factor is below this gets no shards (uploads, repairs, migrations alike) until
 * passes bring it back up or its failures fade (the scorer's half-life). With the scorer's prior,
 * one failure alone gives 0.25, so one shard that rotted on a disk is no verdict; two failures
 * with no pass give 0.17.
 */
export const MIN_AUDIT_FACTOR = 0.2

/**
 * Whether this node no longer trusts `peer` with shards: its audit factor is below
 * MIN_AUDIT_FACTOR. It gets none, and the copies it holds count as lost to the health check, so
 * they are rebuilt elsewhere (all at once, not one failed audit at a time).
 */
export function failsAudits(c: Pick<NodeComponents, 'peerId' | 'scorer'>, peer: string): boolean {
  return peer !== c.peerId && c.scorer.factors(peer).audit < MIN_AUDIT_FACTOR
}

/** This node (when it stores now) and every connected peer that was not retired and passes its audits. */
export function placementCandidates(
  c: Pick<NodeComponents, 'peerId' | 'host' | 'lifecycle' | 'retired' | 'scorer'>
): string[] {
  const peers = c.host
    .getPeers()
    .map(String)
    .filter((p) => !c.retired.has(p) && !failsAudits(c, p))
  return c.lifecycle.storing ? [c.peerId, ...peers] : peers
}

/** A pair's one name (its two peer ids in order), or the peer's own when it has no partner. */
export function pairKeyOf(partnerOf: (peerId: string) => string | undefined, peer: string): string {
  const partner = partnerOf(peer)
  return partner === undefined ? peer : [peer, partner].sort().join('+')
}

/**
 * How many of `candidates` a slice with m parity shards can be placed on: every one, except that a
 * pair (one failure domain) takes at most max(1, m) shards of a slice. The code an auto upload
 * picks must fit this, or placement would run out of room.
 */
export function placementRoom(
  c: Pick<NodeComponents, 'pairs'>,
  candidates: readonly string[]
): (parityShards: number) => number {
  const domains = new Map<string, number>()
  for (const id of candidates) {
    const key = pairKeyOf((p) => c.pairs.partnerOf(p), id)
    domains.set(key, (domains.get(key) ?? 0) + 1)
  }
  return (m) => [...domains.values()].reduce((sum, n) => sum + Math.min(n, Math.max(1, m)), 0)
}

/** The placement context of a node: its scorer, candidates, who is proven and each peer's group. */
export function placementOf(c: NodeComponents): PlacementContext {
  return {
    scorer: c.scorer,
    candidates: () => placementCandidates(c),
    proven: (id) => id === c.peerId || c.standing.proven(id),
    groupOf: (id) => {
      const conn = c.host.getConnections().find((x) => x.remotePeer.toString() === id)
      return conn === undefined ? undefined : networkGroupOf(conn.remoteAddr.toString())
    },
    pairOf: (id) => c.pairs.partnerOf(id)
  }
}

/**
 * Whether `peer` said, lately, that it cannot store `bytes` more (the free space in its last
 * `has` or put answer, within the scorer's half-life).
 */
export function reportsFull(scorer: PeerScorer, peer: string, bytes: number): boolean {
  const free = scorer.freeBytes(peer)
  return free !== undefined && free < Math.max(1, bytes)
}

/**
 * `n` distinct peers outside `exclude`, proven ones first; fewer only when fewer may be used.
 * `perGroup` bounds how many unproven peers of one network group are chosen, `perPair` how many
 * peers of one pair (a pair mirrors its shards, so it is one failure domain: with m, losing a
 * whole pair never costs a slice); `taken` are the peers already holding shards of the slice;
 * `bytes` is the size of a shard to place: a peer that reports less room (reportsFull) gets none.
 */
export function choosePeers(
  ctx: PlacementContext,
  n: number,
  exclude: ReadonlySet<string> = new Set(),
  options: { perGroup?: number; perPair?: number; taken?: readonly string[]; bytes?: number } = {}
): string[] {
  const bytes = options.bytes ?? 0
  const candidates = new Set(
    ctx.candidates().filter((p) => !exclude.has(p) && !reportsFull(ctx.scorer, p, bytes))
  )
  for (const id of candidates) if (!ctx.scorer.has(id)) ctx.scorer.observe(id, {})
  const proven = ctx.proven ?? (() => true)
  const taken = options.taken ?? []
  const pairs = pairBound(ctx, options.perPair, taken)
  // Without a pair bound the best tier is dealt at once; with one, one peer at a time.
  const chosen: string[] = pairs.bounded
    ? []
    : ctx.scorer.select(Math.min(n, candidates.size), {
        filter: (id) => candidates.has(id) && proven(id),
        diversity: 'group'
      })
  while (pairs.bounded && chosen.length < n) {
    const [next] = ctx.scorer.select(1, {
      filter: (id) => candidates.has(id) && proven(id) && !chosen.includes(id) && pairs.room(id),
      diversity: 'group'
    })
    if (next === undefined) break
    chosen.push(next)
    pairs.count(next)
  }
  if (chosen.length >= n) return chosen
  // Too few proven peers: strangers, one at a time, within the per-group bound.
  const groups = new Map<string, number>()
  const count = (id: string): void => {
    const g = proven(id) ? undefined : ctx.groupOf?.(id)
    if (g !== undefined) groups.set(g, (groups.get(g) ?? 0) + 1)
  }
  for (const id of [...taken, ...chosen]) count(id)
  const limit = options.perGroup ?? Number.POSITIVE_INFINITY
  while (chosen.length < n) {
    const [next] = ctx.scorer.select(1, {
      filter: (id) => {
        if (!candidates.has(id) || chosen.includes(id) || !pairs.room(id)) return false
        const g = ctx.groupOf?.(id)
        return g === undefined || (groups.get(g) ?? 0) < limit
      },
      diversity: 'group'
    })
    if (next === undefined) break
    chosen.push(next)
    count(next)
    pairs.count(next)
  }
  return chosen
}

/** Shards per pair so far (`taken` counted), and whether a peer's pair has room for one more. */
function pairBound(ctx: PlacementContext, perPair: number | undefined, taken: readonly string[]) {
  const bounded = perPair !== undefined && ctx.pairOf !== undefined
  const used = new Map<string, number>()
  const keyOf = (id: string): string | undefined => {
    const pairOf = ctx.pairOf
    return pairOf === undefined || pairOf(id) === undefined ? undefined : pairKeyOf(pairOf, id)
  }
  const count = (id: string): void => {
    const key = keyOf(id)
    if (key !== undefined) used.set(key, (used.get(key) ?? 0) + 1)
  }
  for (const id of taken) count(id)
  const room = (id: string): boolean => {
    const key = bounded ? keyOf(id) : undefined
    return key === undefined || (used.get(key) ?? 0) < perPair!
  }
  return { bounded, count, room }
}
