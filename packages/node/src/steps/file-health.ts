// A file's health: for every slice, how many of its shards have at least one live copy, asked of
// their holders with one batched `has` per holder. Repair reads it to decide what to rebuild;
// `defs check` shows it. A holder that does not answer counts for none of its shards.
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { LocatedFile } from '../files/resolve-file.ts'
import type { FileHealth, SliceHealth } from '../files/types.ts'
import { peerHas } from './network-index.ts'

/** How long one holder may take to say which shards it has. */
const HAS_TIMEOUT_MS = 5000

export async function checkFile(c: NodeComponents, file: LocatedFile): Promise<FileHealth> {
  return healthOf(file, await liveHolders(c, file))
}

/** The health of `file` given the live holders of each of its shards ([slice][shard] -> peers). */
export function healthOf(file: LocatedFile, byShard: string[][][]): FileHealth {
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
      holders: [...new Set(holders)]
    }
  })
  return {
    fileId: file.fileIdHex,
    slices,
    minLive: Math.min(...slices.map((s) => s.live)),
    readable: slices.every((s) => s.live >= s.dataShards)
  }
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
