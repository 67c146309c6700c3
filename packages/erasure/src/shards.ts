// Argument checks shared by every operation: errors name the argument and the value.
import { ShardSizeError } from './errors.ts'

/** A shard slot: missing shards are null, undefined or empty. */
export type Shard = Uint8Array | null | undefined

export function isPresent(shard: Shard): shard is Uint8Array {
  return shard !== null && shard !== undefined && shard.length > 0
}

/** Checks that `shards` is an array of `count` slots (at least `count` with `atLeast`). */
export function checkShardList(shards: readonly Shard[], count: number, atLeast = false): void {
  if (!Array.isArray(shards)) throw new TypeError(`shards must be an array, got ${typeof shards}`)
  if (atLeast ? shards.length < count : shards.length !== count) {
    throw new RangeError(
      `shards must have ${atLeast ? 'at least ' : ''}${count} entries, got ${shards.length}`
    )
  }
  for (let i = 0; i < shards.length; i++) {
    const s = shards[i]
    if (s !== null && s !== undefined && !(s instanceof Uint8Array)) {
      throw new TypeError(`shards[${i}] must be a Uint8Array, null or undefined`)
    }
  }
}

/** The common length of the given shards; throws ShardSizeError when they differ or are empty. */
export function commonSize(shards: readonly Shard[], indices: readonly number[]): number {
  let size = -1
  for (const i of indices) {
    const length = shards[i]?.length ?? 0
    if (size === -1) size = length
    else if (length !== size) {
      throw new ShardSizeError(
        `shards must have equal length: shards[${indices[0]}] has ${size} bytes, shards[${i}] has ${length}`
      )
    }
  }
  if (size <= 0) throw new ShardSizeError('shards must not be empty')
  return size
}

export function checkCount(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer ${min}..${max}, got ${String(value)}`)
  }
  return value
}
