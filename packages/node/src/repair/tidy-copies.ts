// The loser cleans up: two repairers that raced (each asked before placing, neither saw the
// other's shard in flight), or a repairer that placed a shard on itself, died and came back after
// another rebuilt it, leave a shard of an erasure-coded slice with two copies. Each repairer knows
// the copies it made: those in its own store under its own claim, and those its repair tasks
// recorded. Of the live copies of a shard, the one whose holder is first in the file's election
// order stays; a copy of ours whose holder comes later is withdrawn (our claim removed here, or our
// signed delete sent to its holder). Every repairer applies the same rule, so one copy stays.
// The two copies a pair keeps of a shard (its holder's and the partner's mirror) are one copy
// here: a delete reaches both, so only a copy on another pair is ever surplus.
// A copy under the owner's claim is nobody's to remove but the owner's.
import { toHex } from '@defs/crypto'
import type { Manifest } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import { fromHex } from '../disk/hex.ts'
import { deleteShards } from '../steps/delete-shards.ts'
import { sameOwner } from '../steps/owner-id.ts'
import { finalStates } from '../tasks/task-types.ts'
import { electionOrder } from './election.ts'
import type { PlacedCopy, RepairCheckpoint, RepairParams, RepairResult } from './repair-task.ts'
import { isReplicated } from './slice-needs.ts'

export interface Withdrawn {
  fileIdHex: string
  shard: string
  holder: string
}

/** Copies of `manifest`'s shards this node made: [slice][shard] -> holders. */
export async function ownCopies(c: NodeComponents, manifest: Manifest): Promise<Set<string>[][]> {
  const fileIdHex = toHex(manifest.fileId)
  const mine = manifest.slices.map((s) => s.shards.map(() => new Set<string>()))
  const recorded: PlacedCopy[] = c.tasks.list().flatMap((t) => {
    if (t.kind !== 'repair' || (t.params as RepairParams).fileIdHex !== fileIdHex) return []
    const fromResult = finalStates.includes(t.state)
      ? ((t.result as RepairResult | undefined)?.placed ?? [])
      : []
    return [...fromResult, ...((t.checkpoint as RepairCheckpoint | undefined)?.placed ?? [])]
  })
  for (const p of recorded) for (const h of p.holders) mine[p.slice]?.[p.index]?.add(h)
  for (const [i, s] of manifest.slices.entries()) {
    for (const [j, id] of s.shards.entries()) {
      const claims = await c.shards.claims(id)
      if (claims.some((cl) => sameOwner(cl.owner, c.userKey.publicKey) && toHex(cl.fileId) === fileIdHex)) {
        mine[i]![j]!.add(c.peerId)
      }
    }
  }
  return mine
}

/** Withdraws the copies of ours that a live copy earlier in the election order makes surplus. */
export async function tidyCopies(
  c: NodeComponents,
  manifest: Manifest,
  live: string[][][]
): Promise<Withdrawn[]> {
  if (isReplicated(manifest) || sameOwner(manifest.owner, c.userKey.publicKey)) return []
  const mine = await ownCopies(c, manifest)
  const order = await electionOrder(manifest.fileId, live.flat(2))
  const rank = (p: string): number => order.indexOf(p)
  const surplus: { id: string; holders: string[] }[] = []
  const out: Withdrawn[] = []
  const fileIdHex = toHex(manifest.fileId)
  for (const [i, s] of manifest.slices.entries()) {
    for (const [j, id] of s.shards.entries()) {
      const holders = live[i]?.[j] ?? []
      if (holders.length < 2) continue
      // A pair's copies rank as its better-ranked node's: the pair first in the order keeps its own.
      const pairRank = (h: string): number => {
        const partner = c.pairs.partnerOf(h)
        return partner !== undefined && holders.includes(partner) ? Math.min(rank(h), rank(partner)) : rank(h)
      }
      const first = Math.min(...holders.map(pairRank))
      for (const h of holders) {
        if (!mine[i]![j]!.has(h) || pairRank(h) === first) continue
        surplus.push({ id: toHex(id), holders: [h] })
        out.push({ fileIdHex, shard: toHex(id), holder: h })
      }
    }
  }
  if (surplus.length > 0) {
    // Ours only: a holder removes the claims of the key that signed the delete, and ours is ours.
    await deleteShards(c, fromHex(fileIdHex), surplus)
  }
  return out
}
