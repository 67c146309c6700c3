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
  const present = await livePresence(c, file)
  const m = file.manifest
  const replicated = m.mode === 'file' || m.mode === 'slice'
  const slices: SliceHealth[] = m.slices.map((s, i) => {
    const holders: string[] = []
    let live = 0
    s.shards.forEach((id, j) => {
      const alive = (file.holders[i]![j] ?? []).filter((p) => present.has(`${p}/${toHex(id)}`))
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
