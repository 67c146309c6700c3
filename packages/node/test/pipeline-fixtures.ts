// Shared by the pipeline tests: seeded randomness (the erasure tests' mulberry32, so a failing case
// replays from its seed), a file context, and shard loss.
import { generateFileKey } from '@defs/crypto'

export { pick, random, randomBytes, randomInt } from '../../erasure/test/helpers.ts'

/** The key, id and version of a fresh file. */
export function fileContext(): { fileKey: Uint8Array; fileId: Uint8Array; version: number } {
  return { fileKey: generateFileKey(), fileId: crypto.getRandomValues(new Uint8Array(16)), version: 1 }
}

/** A copy of `shards` with the slots at `lost` set to null. */
export function lose<T>(shards: readonly T[], lost: readonly number[]): (T | null)[] {
  return shards.map((s, i) => (lost.includes(i) ? null : s))
}
