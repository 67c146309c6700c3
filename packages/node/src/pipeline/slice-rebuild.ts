// Keyless repair of one slice: from any k of its ciphertext shards, rebuild the missing ones and
// name them by their SHA-256, without the file key (encrypt-then-encode makes the shards plain
// Reed-Solomon symbols). Runs on a worker thread like seal and open. Given the manifest's ids,
// present shards are checked before use (a bad one is left out and named) and every rebuilt shard
// is checked against its id before it is handed out, so a repairer never places a wrong shard.
import { timingSafeEqual } from 'node:crypto'
import { crc32c, sha256Sync } from '@defs/crypto'
import { type Shard, TooFewShardsError } from '@defs/erasure'
import { ShardIdMismatchError } from '../errors.ts'
import { codeFor } from './codes.ts'

export interface RebuildParams {
  dataShards: number
  parityShards: number
  shardSize: number
  /** The manifest's shard ids of the slice (k + m): present shards are checked, rebuilt ones too. */
  ids?: Uint8Array[]
  /** Indices to rebuild; default every missing one. */
  want?: number[]
}

export interface RebuiltShard {
  index: number
  bytes: Uint8Array
  /** SHA-256 of the bytes: the shard id. */
  id: Uint8Array
  crc32c: number
}

export interface RebuiltSlice {
  shards: RebuiltShard[]
  /** Indices of shards given that did not match their ids (left out). */
  corrupt: number[]
}

export function rebuildSlice(shards: Shard[], params: RebuildParams): RebuiltSlice {
  const { dataShards: k, parityShards: m, shardSize, ids } = params
  if (!Array.isArray(shards) || shards.length !== k + m) {
    throw new RangeError(`shards must have ${k + m} entries (k + m), got ${shards?.length}`)
  }
  if (ids !== undefined && ids.length !== k + m) {
    throw new RangeError(`ids must have ${k + m} entries (k + m), got ${ids.length}`)
  }
  const use: Shard[] = new Array(k + m).fill(null)
  const corrupt: number[] = []
  let good = 0
  for (let i = 0; i < k + m; i++) {
    const s = shards[i]
    if (s === null || s === undefined || s.length === 0) continue
    if (s.length !== shardSize || (ids !== undefined && !same(sha256Sync(s), ids[i]!))) {
      corrupt.push(i)
      continue
    }
    use[i] = s
    good++
  }
  const want = params.want ?? use.flatMap((s, i) => (s === null ? [i] : []))
  for (const i of want) {
    if (!Number.isInteger(i) || i < 0 || i >= k + m)
      throw new RangeError(`want has index ${i}, outside 0..${k + m - 1}`)
  }
  if (good < k) {
    const what = `${good} good shards of ${k} needed to rebuild`
    if (corrupt.length > 0)
      throw new ShardIdMismatchError(`${what}; shards ${corrupt.join(', ')} do not match their ids`, corrupt)
    throw new TooFewShardsError(what)
  }
  const missing = want.filter((i) => use[i] === null)
  if (missing.length > 0) codeFor(k, m).reconstruct(use)
  const out = want.map((index) => {
    // A wanted shard that was given is copied: the given ones go back to the caller's pool.
    const bytes = missing.includes(index) ? use[index]! : use[index]!.slice()
    const id = sha256Sync(bytes)
    if (ids !== undefined && !same(id, ids[index]!)) {
      throw new ShardIdMismatchError(
        `rebuilt shard ${index} does not match its id: the shards given are not of one slice`,
        [index]
      )
    }
    return { index, bytes, id, crc32c: crc32c(bytes) }
  })
  return { shards: out, corrupt }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
