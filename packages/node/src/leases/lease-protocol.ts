// `/defs/lease/1.0.0`: one signed LeaseRenewal in, one byte out (1: some lease was extended).
// A holder extends the lease of a claim it holds when the renewal is addressed to it and either
// (a) its signer owns a claim of that file on the shard (the file's owner, or the repairer that
// claimed a rebuilt shard), or (b) the sending peer holds shards of the file: the holder takes the
// owner's verified manifest the renewal names, keeps only shards that manifest lists, and asks
// the sender `has` for the file's shards (a holder's answer, checked by audits, not a proof).
// A lease is never shortened, and never extended past this holder's own leaseDuration from now.

import type { PublicKey } from '@defs/crypto'
import { handleRequests, sendRequest } from '@defs/net'
import {
  decodeEnvelope,
  encodeEnvelope,
  equalBytes,
  limits,
  maxEnvelopeBytes,
  sign,
  verify
} from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import { fromHex, toHex } from '../disk/hex.ts'
import { manifestOf } from '../repair/held-files.ts'
import { peerHas } from '../steps/network-index.ts'
import { sameOwner } from '../steps/owner-id.ts'

export const LEASE_PROTOCOL = '/defs/lease/1.0.0'
const LEASE_TIMEOUT_MS = 10_000
const RENEWED = Uint8Array.of(1)
const REFUSED = Uint8Array.of(0)

/** Serves renewals; `leaseDuration` caps what one grants. */
export async function serveLeases(c: NodeComponents, leaseDuration: number): Promise<void> {
  const self = peerIdFromString(c.peerId).toMultihash().bytes
  await handleRequests(
    c.host,
    LEASE_PROTOCOL,
    async (bytes, peer) => {
      const envelope = decodeEnvelope(bytes)
      if (envelope.type !== 'lease') return REFUSED
      const renewal = await verify(envelope, 'lease')
      if (!equalBytes(renewal.recipient, self)) return REFUSED
      const fileIdHex = toHex(renewal.fileId)
      const mine: string[] = []
      const others: string[] = []
      for (const id of renewal.shards) {
        const claims = (await c.shards.claims(id)).filter((cl) => equalBytes(cl.fileId, renewal.fileId))
        if (claims.length === 0) continue
        if (claims.some((cl) => sameOwner(cl.owner, envelope.publicKey))) mine.push(toHex(id))
        else others.push(toHex(id))
      }
      if (others.length > 0)
        mine.push(...(await heldBySender(c, renewal.fileId, renewal.owner, others, peer.toString())))
      if (mine.length === 0) return REFUSED
      await c.leases.extend(fileIdHex, mine, Math.min(renewal.until, Date.now() + leaseDuration))
      return RENEWED
    },
    { maxRequestBytes: maxEnvelopeBytes('lease'), timeoutMs: LEASE_TIMEOUT_MS }
  )
}

/** Those of `shardHexes` the owner's manifest lists, if `peer` holds some shard of that file; else none. */
async function heldBySender(
  c: NodeComponents,
  fileId: Uint8Array,
  owner: PublicKey,
  shardHexes: string[],
  peer: string
): Promise<string[]> {
  const manifest = await manifestOf(c, { fileIdHex: toHex(fileId), owner })
  if (manifest === undefined) return []
  const listed = new Set(manifest.slices.flatMap((s) => s.shards.map(toHex)))
  const renewable = shardHexes.filter((h) => listed.has(h))
  if (renewable.length === 0) return []
  const ask = [...listed]
    .filter((h) => !renewable.includes(h))
    .slice(0, limits.maxHasIds)
    .map(fromHex)
  if (ask.length === 0) return []
  const have = await peerHas(c, peer, ask, AbortSignal.timeout(LEASE_TIMEOUT_MS)).catch(() => [])
  return have.some(Boolean) ? renewable : []
}

/**
 * Renews, on every holder in `byPeer` (peer -> shard ids hex), the leases of a file of `owner`
 * until `until`: this node's own claims directly, every other holder by a renewal signed with this
 * node's user key. Resolves with the holders that extended something; never throws.
 */
export async function renewLeases(
  c: NodeComponents,
  fileId: Uint8Array,
  owner: PublicKey,
  byPeer: Map<string, Set<string>>,
  until: number
): Promise<string[]> {
  const renewed: string[] = []
  const opener = { openStream: c.host.dialProtocol.bind(c.host) }
  await Promise.all(
    [...byPeer].map(async ([peer, shards]) => {
      try {
        if (peer === c.peerId) {
          await c.leases.extend(toHex(fileId), shards, until)
          renewed.push(peer)
          return
        }
        const ids = [...shards].map(fromHex)
        const recipient = peerIdFromString(peer)
        let extended = false
        for (let at = 0; at < ids.length; at += limits.maxShardIdsPerRecord) {
          const envelope = await sign(
            'lease',
            {
              fileId,
              owner,
              shards: ids.slice(at, at + limits.maxShardIdsPerRecord),
              until,
              recipient: recipient.toMultihash().bytes
            },
            c.userKey
          )
          const answer = await sendRequest(opener, recipient, LEASE_PROTOCOL, encodeEnvelope(envelope), {
            maxResponseBytes: 1,
            timeoutMs: LEASE_TIMEOUT_MS
          })
          extended ||= answer[0] === 1
        }
        if (extended) renewed.push(peer)
      } catch {
        // unreachable or refused: renewed again at the next round, well before the lease ends
      }
    })
  )
  return renewed
}

/** Adds `peer` (and its pair partner, which keeps a mirror copy) as a holder of `shardHex`. */
export function addHolder(
  byPeer: Map<string, Set<string>>,
  c: NodeComponents,
  peer: string,
  shardHex: string
): void {
  for (const p of new Set([peer, c.pairs.partnerOf(peer) ?? peer])) {
    const shards = byPeer.get(p) ?? new Set<string>()
    shards.add(shardHex)
    byPeer.set(p, shards)
  }
}
