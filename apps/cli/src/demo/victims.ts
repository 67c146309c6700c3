// Which nodes the demo kills: of the nodes other than the one it talks to, the set whose loss
// still leaves every slice at least k shards (at most m lost) and, among those, the one that
// loses the most data shards, so the download really has to rebuild from parity.
import type { PutResult } from '@defs/node'

export interface SliceLoss {
  slice: number
  /** Shard indices held by the victims; below k they are data shards. */
  lost: number[]
}

export interface VictimChoice {
  victims: string[]
  losses: SliceLoss[]
  /** Every slice keeps >= k shards. */
  recoverable: boolean
}

/** `peerOf` maps a node name to its peer id. */
export function chooseVictims(
  placement: PutResult['placement'],
  dataShards: number,
  parityShards: number,
  candidates: string[],
  count: number,
  peerOf: (name: string) => string
): VictimChoice {
  let best: (VictimChoice & { score: number }) | undefined
  for (const victims of combinations(candidates, count)) {
    const peers = new Set(victims.map(peerOf))
    const losses = placement.map(({ slice, shards }) => ({
      slice,
      lost: shards
        .filter((s) => peers.has(s.peerId))
        .map((s) => s.index)
        .sort((a, b) => a - b)
    }))
    const worst = Math.max(0, ...losses.map((l) => l.lost.length))
    const recoverable = worst <= parityShards
    const dataLost = losses.reduce((n, l) => n + l.lost.filter((i) => i < dataShards).length, 0)
    // Recoverable first; then the most data shards lost; then the least damage beyond m.
    const score = (recoverable ? 1e9 : -worst * 1e6) + dataLost
    if (best === undefined || score > best.score) best = { victims, losses, recoverable, score }
  }
  if (best === undefined) return { victims: [], losses: [], recoverable: true }
  const { score: _, ...choice } = best
  return choice
}

export function* combinations<T>(items: T[], count: number, start = 0): Generator<T[]> {
  if (count === 0) {
    yield []
    return
  }
  for (let i = start; i <= items.length - count; i++) {
    for (const rest of combinations(items, count - 1, i + 1)) yield [items[i]!, ...rest]
  }
}
