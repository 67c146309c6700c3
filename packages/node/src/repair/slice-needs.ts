// Which slices of a file need a repair, from the live holders of each shard: a slice whose
// healthy shards (those with at least one live copy) fell to the repair threshold, or whose
// replicated copies fell below m + 1. Nearest to unreadable first, as a repair queue orders them.
import type { Manifest } from '@defs/segment'

export interface SliceNeed {
  slice: number
  /** Shards (copies, in the replicated modes) with a live holder. */
  healthy: number
  /** Healthy shards the slice must keep to be read: k (1 copy in the replicated modes). */
  needed: number
  /** Shard indices with no live copy (the replicated modes: none; they lack copies). */
  missing: number[]
  /** Copies to add of each shard: 1 for a missing shard, (m + 1) - copies in the replicated modes. */
  copies: number
}

export function isReplicated(manifest: Manifest): boolean {
  return manifest.mode === 'file' || manifest.mode === 'slice'
}

/**
 * The slices of `manifest` to repair given `live` ([slice][shard] -> live peers), most urgent
 * first. `thresholdOf(k, m)` is the healthy count at or below which an erasure-coded slice is.
 */
export function slicesToRepair(
  manifest: Manifest,
  live: string[][][],
  thresholdOf: (k: number, m: number) => number
): SliceNeed[] {
  const needs: SliceNeed[] = []
  const m = manifest.parityShards
  manifest.slices.forEach((s, i) => {
    if (isReplicated(manifest)) {
      const copies = new Set(live[i]!.flat()).size
      if (copies < m + 1)
        needs.push({ slice: i, healthy: copies, needed: 1, missing: [], copies: m + 1 - copies })
      return
    }
    const k = s.shards.length - m
    const missing = s.shards.flatMap((_, j) => ((live[i]![j] ?? []).length === 0 ? [j] : []))
    const healthy = s.shards.length - missing.length
    if (missing.length > 0 && healthy <= thresholdOf(k, m)) {
      needs.push({ slice: i, healthy, needed: k, missing, copies: 1 })
    }
  })
  return needs.sort((a, b) => a.healthy - a.needed - (b.healthy - b.needed) || a.slice - b.slice)
}
