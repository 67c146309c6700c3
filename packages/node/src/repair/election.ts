// Who repairs a file: its live holders ranked by the XOR distance of their routing key (SHA-256 of
// the peer id) to SHA-256 of the file id, nearest first, as every holder computes alike from the
// same answers. Rank 0 repairs at once; rank r takes its turn only after the file stayed ill for
// r leases, so a repairer that died mid-repair (or a holder that checks nothing) is replaced
// without a message being sent, and two holders rarely work on one file at the same time.
import { sha256 } from '@defs/crypto'
import { compareDistance, keyOf } from '@defs/kbucket'
import { peerIdFromString } from '@libp2p/peer-id'

/** `holders` nearest to `fileId` first (this node among them when it holds a shard). */
export async function electionOrder(fileId: Uint8Array, holders: Iterable<string>): Promise<string[]> {
  const target = await sha256(fileId)
  const keyed = await Promise.all(
    [...new Set(holders)].map(async (peer) => ({
      peer,
      key: await keyOf(peerIdFromString(peer).toMultihash().bytes)
    }))
  )
  keyed.sort((a, b) => compareDistance(a.key, b.key, target))
  return keyed.map((k) => k.peer)
}

/**
 * Whether `self` may repair a file that has been ill for `illForMs`: its rank among the live
 * holders times the lease has passed. A node that holds nothing of the file never repairs it.
 */
export async function mayRepair(
  self: string,
  fileId: Uint8Array,
  liveHolders: Iterable<string>,
  illForMs: number,
  leaseMs: number
): Promise<{ may: boolean; rank: number; order: string[] }> {
  const order = await electionOrder(fileId, liveHolders)
  const rank = order.indexOf(self)
  return { may: rank >= 0 && illForMs >= rank * leaseMs, rank, order }
}
