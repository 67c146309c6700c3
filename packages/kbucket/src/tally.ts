/** Adds `delta` to `counts[key]`, dropping keys that reach 0 so the map never outgrows its members. */
export function tally(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta
  if (next === 0) counts.delete(key)
  else counts.set(key, next)
}
