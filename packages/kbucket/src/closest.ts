// Exact k-closest over CPL-indexed buckets without sorting the table. With c = cpl(local, target),
// bucket c holds every peer sharing more than c bits with the target, buckets above c all share
// exactly c bits, and bucket i below c shares exactly i bits. So the tiers
//   [c], [c+1 .. 255], [c-1], [c-2], ..., [0]
// are strictly ordered by distance: take whole tiers while they fit and pick the nearest few of
// the first tier that does not (a bounded max-heap), sorting only what is returned.
import { compareUnchecked, cplUnchecked, KEY_BITS } from './key.ts'

export interface Keyed {
  readonly key: Uint8Array
}

export function closestInBuckets<T extends Keyed>(
  buckets: readonly (ReadonlyMap<string, T> | undefined)[],
  localKey: Uint8Array,
  target: Uint8Array,
  n: number
): T[] {
  const c = cplUnchecked(localKey, target)
  const out: T[] = []
  const tiers: (ReadonlyMap<string, T> | undefined)[][] = [[buckets[c]], buckets.slice(c + 1, KEY_BITS)]
  for (let i = c - 1; i >= 0; i--) tiers.push([buckets[i]])
  for (const tier of tiers) {
    const wanted = n - out.length
    if (wanted <= 0) break
    out.push(...nearest(tier, target, wanted))
  }
  return out
}

/** The `wanted` entries of `maps` nearest to `target`, nearest first. */
function nearest<T extends Keyed>(
  maps: readonly (ReadonlyMap<string, T> | undefined)[],
  target: Uint8Array,
  wanted: number
): T[] {
  const farther = (a: T, b: T): boolean => compareUnchecked(a.key, b.key, target) > 0
  const heap: T[] = [] // max-heap: heap[0] is the farthest kept
  for (const map of maps) {
    if (map === undefined) continue
    for (const entry of map.values()) {
      if (heap.length < wanted) {
        heap.push(entry)
        siftUp(heap, heap.length - 1, farther)
      } else if (farther(heap[0]!, entry)) {
        heap[0] = entry
        siftDown(heap, 0, farther)
      }
    }
  }
  return heap.sort((a, b) => compareUnchecked(a.key, b.key, target))
}

function siftUp<T>(heap: T[], i: number, above: (a: T, b: T) => boolean): void {
  const item = heap[i]!
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (!above(item, heap[parent]!)) break
    heap[i] = heap[parent]!
    i = parent
  }
  heap[i] = item
}

function siftDown<T>(heap: T[], i: number, above: (a: T, b: T) => boolean): void {
  const item = heap[i]!
  for (;;) {
    let child = 2 * i + 1
    if (child >= heap.length) break
    if (child + 1 < heap.length && above(heap[child + 1]!, heap[child]!)) child++
    if (!above(heap[child]!, item)) break
    heap[i] = heap[child]!
    i = child
  }
  heap[i] = item
}
