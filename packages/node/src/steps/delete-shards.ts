// Owner-signed deletes (doc/architecture.md, security): each holder gets one envelope naming the shards it holds,
// signed by the file's owner with a fresh nonce and the current time, so it cannot be replayed.
// A paired holder's partner, which holds a mirror copy, gets one too.
import { randomBytes, type SigningKey } from '@defs/crypto'
import { sign } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import { fromHex } from '../disk/hex.ts'

export interface HeldShard {
  /** Shard id, hex. */
  id: string
  holders: string[]
}

export interface DeleteOutcome {
  deleted: number
  /** Holders that could not be reached or refused, with why. */
  failed: { peer: string; error: string }[]
}

/** `owner`: the file's owner, who signs the deletes (the node's user unless a user's upload). */
export async function deleteShards(
  node: NodeComponents,
  fileId: Uint8Array,
  shards: HeldShard[],
  owner: SigningKey = node.userKey
): Promise<DeleteOutcome> {
  const byPeer = new Map<string, string[]>()
  for (const s of shards) {
    // a paired holder's partner keeps a mirror copy: it gets its own delete
    for (const peer of node.pairs.withPartners(s.holders)) {
      const list = byPeer.get(peer) ?? []
      if (!list.includes(s.id)) list.push(s.id)
      byPeer.set(peer, list)
    }
  }
  const outcome: DeleteOutcome = { deleted: 0, failed: [] }
  await Promise.all(
    [...byPeer].map(async ([peer, ids]) => {
      try {
        if (peer === node.peerId) {
          // only our own claims: the same bytes may be held here for another owner too
          for (const id of ids) {
            if (await node.shards.unclaim(fromHex(id), fileId, owner.publicKey)) outcome.deleted++
          }
          return
        }
        const recipient = peerIdFromString(peer)
        const envelope = await sign(
          'delete',
          {
            fileId,
            shards: ids.map(fromHex),
            nonce: randomBytes(16),
            time: Date.now(),
            recipient: recipient.toMultihash().bytes
          },
          owner
        )
        await node.host.services.shards.delete(recipient, envelope)
        outcome.deleted += ids.length
      } catch (err) {
        outcome.failed.push({ peer, error: (err as Error).message })
      }
    })
  )
  return outcome
}
