// The work on one slice, self-contained so a worker thread runs it: seal = encrypt -> split ->
// encode -> hash, open = verify -> reconstruct -> decrypt (encrypt, then encode: doc/architecture.md).
// Sealed shards lie back to back in one ArrayBuffer: the ciphertext is written straight into the
// data-shard region (the split costs nothing), parity is coded beside it, and the whole slice
// crosses a thread boundary as one transfer.
import { timingSafeEqual } from 'node:crypto'
import {
  createCrc32c,
  createSha256,
  deriveSliceKey,
  generateNonce,
  type Hasher,
  sha256Sync,
  sliceAad
} from '@defs/crypto'
import { type Shard, TooFewShardsError } from '@defs/erasure'
import { ShardIdMismatchError } from '../errors.ts'
import { codeFor } from './codes.ts'
import { freeBytes } from './free-memory.ts'
import { SEAL_OVERHEAD, type ShardShape, type SliceCoding, shardShape } from './layout.ts'
import { decryptFrom, encryptInto, type SliceCipherKey } from './slice-cipher.ts'

/** Which slice of which file version: what the slice key and the AAD bind. */
export interface SliceContext {
  fileKey: Uint8Array
  fileId: Uint8Array
  sliceIndex: number
  version: number
}

export type SealParams = SliceContext & SliceCoding

export interface SealedSlice extends ShardShape {
  sliceIndex: number
  nonce: Uint8Array
  plainLength: number
  cipherLength: number
  /** k data then m parity shards, views back to back into one ArrayBuffer. */
  shards: Uint8Array[]
  /** SHA-256 of each shard: its id. */
  ids: Uint8Array[]
  /** CRC32C of each shard (its header's checksum), computed in the same pass as the ids. */
  crcs: number[]
}

export interface OpenParams extends SliceContext, SliceCoding {
  nonce: Uint8Array
  cipherLength: number
  plainLength: number
  /** The shard ids from the manifest: when given, present shards are checked before use. */
  ids?: Uint8Array[]
}

export interface OpenedSlice {
  sliceIndex: number
  plain: Uint8Array
  /** Indices of shards given that did not match their ids (left out; the slice opened without them). */
  corrupt: number[]
}

/** Bytes per column of the parity pass, so the parity just written is hashed from cache. */
const ENCODE_COLUMN = 256 * 1024

/** Bytes the sealed shards of a `plainLength`-byte slice take. */
export function sealedBytes(coding: SliceCoding, plainLength: number): number {
  const shape = shardShape(coding, plainLength + SEAL_OVERHEAD)
  return (shape.dataShards + shape.parityShards) * shape.shardSize
}

/** Seals one slice; `out` (at least sealedBytes) is used for the shards when given, e.g. a recycled one. */
export async function sealSlice(
  plain: Uint8Array,
  params: SealParams,
  out?: ArrayBuffer
): Promise<SealedSlice> {
  const cipherLength = plain.length + SEAL_OVERHEAD
  const shape = shardShape(params, cipherLength)
  const { dataShards: k, parityShards: m, shardSize } = shape
  const total = (k + m) * shardSize
  const memory = out !== undefined && out.byteLength >= total ? out : new ArrayBuffer(total)
  const shards = Array.from({ length: k + m }, (_, i) => new Uint8Array(memory, i * shardSize, shardSize))
  // Each shard's SHA-256 (its id) and CRC32C (its header's checksum) over the bytes while they are in cache.
  const shas = shards.map(() => createSha256())
  const crcs = shards.map(() => createCrc32c())
  const hashers = shards.map((_, i): Hasher => {
    const both: Hasher = {
      update: (data) => {
        shas[i]!.update(data)
        crcs[i]!.update(data)
        return both
      },
      digest: () => shas[i]!.digest()
    }
    return both
  })
  const nonce = generateNonce()
  const flat = new Uint8Array(memory, 0, k * shardSize)
  encryptInto(await cipherKey(params, nonce), plain, flat, (start, end) =>
    hashRange(hashers, flat, shardSize, start, end)
  )
  flat.fill(0, cipherLength)
  hashRange(hashers, flat, shardSize, cipherLength, flat.length)
  if (m > 0) {
    const rs = codeFor(k, m)
    for (let at = 0; at < shardSize; at += ENCODE_COLUMN) {
      const end = Math.min(shardSize, at + ENCODE_COLUMN)
      rs.encode(shards.map((s) => s.subarray(at, end)))
      for (let p = k; p < k + m; p++) hashers[p]!.update(shards[p]!.subarray(at, end))
    }
  }
  const ids = shas.map((h) => h.digest())
  return {
    sliceIndex: params.sliceIndex,
    nonce,
    plainLength: plain.length,
    cipherLength,
    ...shape,
    shards,
    ids,
    crcs: crcs.map((c) => c.value())
  }
}

/**
 * Opens one slice from any k of its shards (missing: null, undefined or empty). With ids, shards
 * are checked in order until k match; a shard that does not is left out and named in `corrupt`.
 * Throws ShardIdMismatchError when too few match, TooFewShardsError when too few are given, and
 * AuthenticationError when the slice does not decrypt. `out` (at least plainLength) is used when given.
 */
export async function openSlice(
  shards: Shard[],
  params: OpenParams,
  out?: ArrayBuffer
): Promise<OpenedSlice> {
  const { cipherLength, plainLength, sliceIndex } = params
  if (cipherLength !== plainLength + SEAL_OVERHEAD) {
    throw new RangeError(
      `slice ${sliceIndex}: cipherLength must be plainLength + 16, got ${cipherLength} for ${plainLength}`
    )
  }
  const { dataShards: k, parityShards: m, shardSize } = shardShape(params, cipherLength)
  if (!Array.isArray(shards) || shards.length !== k + m) {
    throw new RangeError(`slice ${sliceIndex}: shards must have ${k + m} entries, got ${shards?.length}`)
  }
  if (params.ids !== undefined && params.ids.length !== k + m) {
    throw new RangeError(`slice ${sliceIndex}: ids must have ${k + m} entries, got ${params.ids.length}`)
  }
  const use: Shard[] = new Array(k + m).fill(null)
  const corrupt: number[] = []
  let good = 0
  for (let i = 0; i < k + m && good < k; i++) {
    const s = shards[i]
    if (s === null || s === undefined || s.length === 0) continue
    if (s.length !== shardSize || (params.ids !== undefined && !sameBytes(sha256Sync(s), params.ids[i]!))) {
      corrupt.push(i)
      continue
    }
    use[i] = s
    good++
  }
  if (good < k) {
    const what = `slice ${sliceIndex}: ${good} good shards of ${k} needed`
    if (corrupt.length > 0)
      throw new ShardIdMismatchError(`${what}; shards ${corrupt.join(', ')} do not match their ids`, corrupt)
    throw new TooFewShardsError(`${what}`)
  }
  const rebuilt = use.slice(0, k).flatMap((s, i) => (s === null ? [i] : []))
  if (rebuilt.length > 0) codeFor(k, m).reconstructData(use)
  const plain = new Uint8Array(
    out !== undefined && out.byteLength >= plainLength ? out : new ArrayBuffer(plainLength),
    0,
    plainLength
  )
  try {
    decryptFrom(await cipherKey(params, params.nonce), use.slice(0, k) as Uint8Array[], plainLength, plain)
  } finally {
    for (const i of rebuilt) freeBytes(use[i]!)
  }
  return { sliceIndex, plain, corrupt }
}

async function cipherKey(c: SliceContext, nonce: Uint8Array): Promise<SliceCipherKey> {
  const key = await deriveSliceKey(c.fileKey, c.fileId, c.sliceIndex, c.version)
  return { key, nonce, aad: sliceAad(c.fileId, c.sliceIndex, c.version) }
}

/** Feeds bytes [start, end) of the back-to-back data shards in `flat` to the hashers of the shards they fall in. */
function hashRange(hashers: Hasher[], flat: Uint8Array, shardSize: number, start: number, end: number): void {
  while (start < end) {
    const shard = Math.floor(start / shardSize)
    const stop = Math.min(end, (shard + 1) * shardSize)
    hashers[shard]!.update(flat.subarray(start, stop))
    start = stop
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
