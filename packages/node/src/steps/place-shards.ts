// Placing shards: every shard (and each of its copies) on its own peer, chosen by score and
// network group (placement.ts), sent concurrently, each retried on another peer when one fails.
// Uploads use it for every slice; repair and pair migration place rebuilt or moved shards the
// same way. A peer that refuses "not now" (maintenance, full, busy) is left out of this placement
// without losing score; a peer that fails otherwise is marked down. A peer whose last answer
// said it has no room for the shard is not asked at all (placement.ts, reportsFull).
import { QuotaExceededError } from '@defs/net'
import { type ShardHeader, ShardStatus } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { NotEnoughPeersError, PlacementError } from '../errors.ts'
import { choosePeers, placementOf, reportsFull } from '../peers/placement.ts'
import { storeShard } from './shard-transfer.ts'

export interface ShardToPlace {
  /** The shard's position in its slice (data then parity). */
  index: number
  /** SHA-256 of `bytes`. */
  id: Uint8Array
  bytes: Uint8Array
  header: ShardHeader
}

export interface PlaceRequest {
  shards: ShardToPlace[]
  /** Copies of each shard, each on its own peer (the replicated modes keep m + 1). Default 1. */
  replicas?: number
  /** Peers that get none of these shards (repair: the unpaired peers that hold the slice's other shards). */
  exclude?: ReadonlySet<string>
  /**
   * Peers that hold the slice's other shards, one per shard and pair: counted against the
   * per-pair bound (repair: a pair keeps at most m of the slice, the shards it had included).
   */
  taken?: readonly string[]
  /** At most this many of these shards on unproven peers of one network group (m: a group lost costs no slice). */
  perGroup?: number
  /** Names the shards in errors: `slice 3`. */
  what: string
  /** Not passed to the sends: a shard in flight finishes, so what a peer stored is always known. */
  signal: AbortSignal
  /** Told of every copy stored, as it is acknowledged, with the durable copies the holder names. */
  onStored?: (shard: ShardToPlace, peer: string, copies: number) => void
}

/** Tries per shard before the placement fails; each retry goes to another peer. */
const SEND_ATTEMPTS = 3

/** Holders of each shard of `request.shards`, in order; throws when one could not be placed. */
export async function placeShards(c: NodeComponents, request: PlaceRequest): Promise<string[][]> {
  const replicas = request.replicas ?? 1
  const units = request.shards.flatMap((shard) => Array.from({ length: replicas }, () => shard))
  const used = new Set(request.exclude)
  const placement = placementOf(c)
  // m bounds both failure domains: a network group of unproven peers, and a pair.
  const bound = {
    perGroup: request.perGroup,
    perPair: request.perGroup,
    taken: request.taken ?? [],
    bytes: Math.max(0, ...request.shards.map((s) => s.bytes.byteLength))
  }
  let peers = choosePeers(placement, units.length, used, bound)
  // Right after a start (a resumed upload), the network may still be connecting: wait a little.
  for (
    const until = Date.now() + c.options.dialTimeout;
    peers.length < units.length && Date.now() < until;
  ) {
    await new Promise((r) => setTimeout(r, 100))
    request.signal.throwIfAborted()
    peers = choosePeers(placement, units.length, used, bound)
  }
  if (peers.length < units.length) {
    // Say why when more peers are up than were chosen: some report no room, or pairs (or groups
    // of strangers) take at most m each.
    const open = placement.candidates().filter((p) => !used.has(p))
    const full = open.filter((p) => reportsFull(c.scorer, p, bound.bytes)).length
    const free = open.length - full
    const why = [
      ...(full > 0
        ? [`${full} more ${full === 1 ? 'reports' : 'report'} no room for a ${bound.bytes}-byte shard`]
        : []),
      ...(free > peers.length
        ? [
            `${free} peers, but a pair, or a network group of unproven peers, takes at most ${request.perGroup} shards of a slice`
          ]
        : [])
    ]
    throw new NotEnoughPeersError(
      `${request.what} has ${units.length} shards to place on distinct peers, the network has ${peers.length}${why.length > 0 ? ` (${why.join('; ')})` : ''}`,
      units.length,
      peers.length
    )
  }
  for (const p of peers) used.add(p)
  const holders = new Map<ShardToPlace, string[]>(request.shards.map((s) => [s, []]))
  await Promise.all(
    units.map(async (shard, j) => {
      let peer = peers[j]!
      for (let attempt = 1; ; attempt++) {
        try {
          const copies = await storeShard(c, peer, shard.header, shard.bytes, shard.id)
          c.scorer.observe(peer, { heartbeat: 'ok' })
          holders.get(shard)!.push(peer)
          request.onStored?.(shard, peer, copies)
          return
        } catch (err) {
          if (request.signal.aborted) throw err
          if (!isNotNow(err)) c.scorer.observe(peer, { heartbeat: 'missed' })
          const next =
            attempt < SEND_ATTEMPTS
              ? choosePeers(placement, 1, used, {
                  ...bound,
                  taken: [...bound.taken, ...holders.values()].flat()
                })[0]
              : undefined
          if (next === undefined) {
            throw new PlacementError(
              `${request.what} shard ${shard.index}: ${peer} refused it (${(err as Error).name}: ${(err as Error).message}) and no other peer is left`
            )
          }
          used.add(next)
          peer = next
        }
      }
    })
  )
  return request.shards.map((s) => holders.get(s)!)
}

const notNow: ReadonlySet<number> = new Set([ShardStatus.Maintenance, ShardStatus.NoSpace, ShardStatus.Busy])

/** A refusal that says "not now" (maintenance, full, busy), not "I am broken". */
function isNotNow(err: unknown): boolean {
  const status = (err as { status?: unknown }).status
  return (typeof status === 'number' && notNow.has(status)) || err instanceof QuotaExceededError
}
