// The demo's table of where each slice's shards went: one row per slice, one column per node,
// `d` for a data shard and `p` for a parity shard, so a reader sees what a crash takes away.
import type { PutResult } from '@defs/node'
import { table } from '../format.ts'

export interface NamedPeer {
  name: string
  peerId: string
}

export function placementTable(result: PutResult, nodes: NamedPeer[], maxRows = 12): string {
  const label = (index: number) => `${index < result.dataShards ? 'd' : 'p'}${index}`
  const rows = result.placement.slice(0, maxRows).map(({ slice, shards }) => [
    String(slice),
    ...nodes.map((node) => {
      const held = shards.filter((s) => s.peerId === node.peerId).map((s) => label(s.index))
      return held.length > 0 ? held.join(',') : '-'
    })
  ])
  const more = result.placement.length - rows.length
  const text = table(['SLICE', ...nodes.map((n) => n.name)], rows)
  return more > 0 ? `${text}\n... ${more} more slices` : text
}

export function shardLabels(indices: number[], dataShards: number): string {
  return indices.map((i) => `${i < dataShards ? 'd' : 'p'}${i}`).join(' ')
}
