// The pair's inventory sync, both halves. Asking: walk the partner's buckets from the root and go
// down only where a bucket's count or hash differs from ours; a differing bucket the partner holds
// nothing of needs no listing (all of ours are missing there), a small one is listed a page at a
// time, a large one is split again (up to PAIR_PREFIX_MAX_BYTES). Each leaf yields our ids the
// partner lacks, in sorted order, so a caller that saves the last one handled resumes after it.
// What the partner holds and we lack is its own walk's to send. Every answer is checked before it
// is used: the kind asked for, ids sorted, under the prefix, after the cursor, no more than the
// partner's own count said and no more than MAX_LEAF_IDS; anything else is a PairSyncError.
// Answering: only the current partner, at the current epoch, gets our buckets and ids.
import { fromHex, toHex } from '@defs/crypto'
import {
  equalBytes,
  PAIR_BUCKET_HASH_BYTES,
  PAIR_BUCKETS,
  PAIR_LIST_MAX_IDS,
  PAIR_PREFIX_MAX_BYTES,
  type PairRequest,
  type PairResponse
} from '@defs/segment'
import { PairingRefusedError, PairSyncError } from './errors.ts'
import { childOf, type PrefixBuckets, type PrefixInventory, upperOf } from './prefix-inventory.ts'

/** Ids one leaf may list in all its pages: beyond it the partner is flooding (or ground its ids). */
export const MAX_LEAF_IDS = 4096

export interface SyncLeaf {
  /** The leaf's prefix (hex). */
  prefix: string
  /** Our ids under it (after the cursor), and those of them the partner lacks. */
  ours: string[]
  missing: string[]
}

export interface SyncStats {
  /** Bucket requests made, ids the partner listed, and our ids in buckets found equal. */
  bucketRequests: number
  listed: number
  equal: number
}

export type SyncAsk = (request: PairRequest) => Promise<PairResponse>

/**
 * Our ids the partner lacks, leaf by leaf in sorted order, skipping every id <= `after` (a resumed
 * sync). `ask` sends one pair request to the partner; `stats` counts what crossed.
 */
export async function* partnerLacks(
  ask: SyncAsk,
  partner: string,
  epoch: number,
  local: PrefixInventory,
  after = '',
  stats: SyncStats = { bucketRequests: 0, listed: 0, equal: 0 }
): AsyncGenerator<SyncLeaf> {
  async function bucketsOf(prefix: string): Promise<PrefixBuckets> {
    stats.bucketRequests++
    const res = await ask({ kind: 'buckets', epoch, prefix: fromHex(prefix) })
    if (res.kind === 'refuse') throw new PairingRefusedError(partner, res.reason)
    if (res.kind !== 'buckets') throw new PairSyncError(partner, `answered ${res.kind} to buckets`)
    return res
  }

  async function listed(prefix: string, claimed: number): Promise<Set<string>> {
    if (claimed > MAX_LEAF_IDS) {
      throw new PairSyncError(partner, `claims ${claimed} ids under ${prefix}, more than ${MAX_LEAF_IDS}`)
    }
    // puts that reached the partner since it counted may add a page; more is a flood
    const most = Math.min(MAX_LEAF_IDS, claimed + PAIR_LIST_MAX_IDS)
    const out = new Set<string>()
    let cursor = ''
    for (;;) {
      const res = await ask({
        kind: 'list',
        epoch,
        prefix: fromHex(prefix),
        ...(cursor !== '' ? { after: fromHex(cursor) } : {})
      })
      if (res.kind === 'refuse') throw new PairingRefusedError(partner, res.reason)
      if (res.kind !== 'ids') throw new PairSyncError(partner, `answered ${res.kind} to list`)
      for (const bytes of res.ids) {
        const id = toHex(bytes)
        if (!id.startsWith(prefix) || id <= cursor) {
          throw new PairSyncError(partner, `listed ${id} under ${prefix} after ${cursor || 'the start'}`)
        }
        cursor = id
        out.add(id)
      }
      if (out.size > most) {
        throw new PairSyncError(
          partner,
          `listed more than ${most} ids under ${prefix}, having counted ${claimed}`
        )
      }
      stats.listed += res.ids.length
      if (res.ids.length < PAIR_LIST_MAX_IDS) return out
    }
  }

  async function* walk(prefix: string): AsyncGenerator<SyncLeaf> {
    const theirs = await bucketsOf(prefix)
    const ours = local.buckets(prefix)
    for (let b = 0; b < PAIR_BUCKETS; b++) {
      const q = childOf(prefix, b)
      if (upperOf(q) <= after) continue
      const mine = ours.counts[b]!
      const their = theirs.counts[b]!
      if (mine === their && sameHash(ours.hashes, theirs.hashes, b)) {
        stats.equal += mine
        continue
      }
      // nothing of ours there: what the partner has more is its own walk's to send
      if (mine === 0) continue
      if (their === 0) {
        const all = local.under(q, after)
        yield { prefix: q, ours: all, missing: all }
        continue
      }
      if (their > PAIR_LIST_MAX_IDS && q.length / 2 < PAIR_PREFIX_MAX_BYTES) {
        yield* walk(q)
        continue
      }
      const held = await listed(q, their)
      const all = local.under(q, after)
      yield { prefix: q, ours: all, missing: all.filter((id) => !held.has(id)) }
    }
  }

  yield* walk('')
}

function sameHash(a: Uint8Array, b: Uint8Array, bucket: number): boolean {
  const at = bucket * PAIR_BUCKET_HASH_BYTES
  return equalBytes(a.subarray(at, at + PAIR_BUCKET_HASH_BYTES), b.subarray(at, at + PAIR_BUCKET_HASH_BYTES))
}

/** Our answer to a partner's `buckets` or `list`, from `local`. */
export function answerSync(
  request: Extract<PairRequest, { kind: 'buckets' | 'list' }>,
  local: PrefixInventory
): PairResponse {
  const prefix = toHex(request.prefix)
  if (request.kind === 'buckets') return { kind: 'buckets', ...local.buckets(prefix) }
  const after = request.after === undefined ? '' : toHex(request.after)
  return { kind: 'ids', ids: local.under(prefix, after, PAIR_LIST_MAX_IDS).map(fromHex) }
}
