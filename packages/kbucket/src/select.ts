// Choosing placement or pairing targets: random among the best tier, spread over groups.
//   1. Sort candidates by score. The tier is every peer within `tierWidth` of the top score,
//      widened down just far enough to hold n peers from min(n, G) distinct groups (G: the
//      groups among all candidates); peers tied with the last one needed are in too.
//   2. Shuffle the tier, then the groups in it, and deal round-robin: one peer per group, then a
//      second per group, and so on. No group gets a second pick while a group without one remains.
// A peer with no group (or diversity 'none') is a group of its own.

export interface Candidate {
  id: string
  score: number
  /** The diversity key: its group, region, or something unique to the peer. */
  spread: string
}

/** Up to n ids of `candidates` (any order; sorted in place if needed) in pick order. */
export function pickSpread(
  candidates: Candidate[],
  n: number,
  tierWidth: number,
  random: () => number
): string[] {
  if (n === 0 || candidates.length === 0) return []
  const tier = shuffle(bestTier(candidates, n, tierWidth), random)
  const groups = new Map<string, Candidate[]>()
  for (const c of tier) {
    const members = groups.get(c.spread)
    if (members === undefined) groups.set(c.spread, [c])
    else members.push(c)
  }
  const dealOrder = shuffle([...groups.values()], random)
  const picked: string[] = []
  for (let round = 0; picked.length < n && picked.length < tier.length; round++) {
    for (const members of dealOrder) {
      if (round < members.length) picked.push(members[round]!.id)
      if (picked.length === n) break
    }
  }
  return picked
}

function bestTier(candidates: Candidate[], n: number, tierWidth: number): Candidate[] {
  let top = Number.NEGATIVE_INFINITY
  for (const c of candidates) if (c.score > top) top = c.score
  // Usually the peers near the top are enough, and nothing needs sorting.
  const near = candidates.filter((c) => c.score >= top - tierWidth)
  if (near.length >= n && hasGroups(near, n)) return near
  const sorted = candidates.sort((a, b) => b.score - a.score)
  const allGroups = new Set(sorted.map((c) => c.spread)).size
  const wantPeers = Math.min(n, sorted.length)
  const wantGroups = Math.min(n, allGroups)
  const seen = new Set<string>()
  let size = 0
  while (size < sorted.length && (size < wantPeers || seen.size < wantGroups)) {
    seen.add(sorted[size]!.spread)
    size++
  }
  const threshold = Math.min(top - tierWidth, sorted[size - 1]!.score)
  while (size < sorted.length && sorted[size]!.score >= threshold) size++
  return sorted.slice(0, size)
}

function hasGroups(candidates: readonly Candidate[], n: number): boolean {
  const seen = new Set<string>()
  for (const c of candidates) if (seen.add(c.spread).size >= n) return true
  return false
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)))
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return items
}
