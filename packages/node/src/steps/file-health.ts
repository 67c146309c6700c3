// A file's health: for every slice, how many of its shards have at least one live copy, asked of
// their holders with one batched `has` per holder, and how those spread over pairs (a pair is one
// failure domain). Repair reads it to decide what to rebuild; `defs check` shows it. A holder
// that does not answer counts for none of its shards.
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { LocatedFile } from '../files/resolve-file.ts'
import type { FileHealth, PairShards, SliceHealth } from '../files/types.ts'
import { peerHas } from './network-index.ts'

/** How long one holder may take to say which shards it has. */
const HAS_TIMEOUT_MS = 5000

export async function checkFile(c: NodeComponents, file: LocatedFile): Promise<FileHealth> {
  return healthOf(file, await liveHolders(c, file), (peer) => c.pairs.partnerOf(peer))
}

/**
 * The health of `file` given the live holders of each of its shards ([slice][shard] -> peers)
 * and who is paired with whom (`partnerOf`, undefined for a peer with no known partner).
 */
export function healthOf(
  file: LocatedFile,
  byShard: string[][][],
  partnerOf: (peer: string) => string | undefined
): FileHealth {
  const m = file.manifest
  const replicated = m.mode === 'file' || m.mode === 'slice'
  const slices: SliceHealth[] = m.slices.map((s, i) => {
    const holders: string[] = []
    let live = 0
    s.shards.forEach((_, j) => {
      const alive = byShard[i]![j]!
      if (alive.length > 0) live++
      holders.push(...alive)
    })
    return {
      slice: i,
      live: replicated ? holders.length : live,
      dataShards: replicated ? 1 : s.shards.length - m.parityShards,
      totalShards: replicated ? m.parityShards + 1 : s.shards.length,
      holders: [...new Set(holders)],
      pairs: pairsOf(byShard[i]!, replicated, m.parityShards, partnerOf)
    }
  })
  return {
    fileId: file.fileIdHex,
    slices,
    minLive: Math.min(...slices.map((s) => s.live)),
    readable: slices.every((s) => s.live >= s.dataShards)
  }
}

/** A slice's live shards ([shard] -> peers) grouped by pair, the most first. */
function pairsOf(
  shards: string[][],
  replicated: boolean,
  m: number,
  partnerOf: (peer: string) => string | undefined
): PairShards[] {
  const groups = new Map<string, { peers: string[]; shards: Set<number> }>()
  const pairOf = (peer: string): string[] => {
    const partner = partnerOf(peer)
    return partner === undefined || partner === peer ? [peer] : [peer, partner].sort()
  }
  shards.forEach((alive, index) => {
    for (const peer of alive) {
      const peers = pairOf(peer)
      const g = groups.get(peers.join()) ?? { peers, shards: new Set<number>() }
      groups.set(peers.join(), g)
      g.shards.add(index)
    }
  })
  const copies = shards.flat()
  return [...groups.values()]
    .map(({ peers, shards: held }) => ({
      peers,
      shards: [...held].sort((a, b) => a - b),
      count: held.size,
      // the replicated modes' one shard is lost with the pair only if no copy lives elsewhere
      overBound: replicated ? copies.every((p) => peers.includes(p)) : held.size > m
    }))
    .sort((a, b) => b.count - a.count || a.peers[0]!.localeCompare(b.peers[0]!))
}

/** Of `file.holders`, those that say they have their shard now: [slice][shard] -> peers. */
export async function liveHolders(c: NodeComponents, file: LocatedFile): Promise<string[][][]> {
  const present = await livePresence(c, file)
  return file.manifest.slices.map((s, i) =>
    s.shards.map((id, j) => (file.holders[i]![j] ?? []).filter((p) => present.has(`${p}/${toHex(id)}`)))
  )
}

/** `peer/shardId` of every copy its holder says it has. */
async function livePresence(c: NodeComponents, file: LocatedFile): Promise<Set<string>> {
  const asked = new Map<string, Uint8Array[]>()
  file.holders.forEach((slice, i) => {
    slice.forEach((peers, j) => {
      for (const p of peers) {
        const ids = asked.get(p) ?? []
        ids.push(file.manifest.slices[i]!.shards[j]!)
        asked.set(p, ids)
      }
    })
  })
  const present = new Set<string>()
  await Promise.all(
    [...asked].map(async ([peer, ids]) => {
      try {
        const have = await peerHas(c, peer, ids, AbortSignal.timeout(HAS_TIMEOUT_MS))
        ids.forEach((id, n) => {
          if (have[n]) present.add(`${peer}/${toHex(id)}`)
        })
      } catch {
        // Unreachable: none of its shards count as live.
      }
    })
  )
  return present
}
