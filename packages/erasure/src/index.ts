/**
 * @defs/erasure: Reed-Solomon erasure coding over GF(2^8), byte-compatible with
 * klauspost/reedsolomon `New(k, m)` (and so Backblaze JavaReedSolomon), running a WASM SIMD128
 * kernel where the runtime has one and pure TypeScript elsewhere.
 *
 * @example
 * ```ts
 * import { ReedSolomon } from '@defs/erasure'
 *
 * const rs = await ReedSolomon.create({ dataShards: 10, parityShards: 4 })
 * const data = new TextEncoder().encode('any bytes: a slice of ciphertext')
 * const shards = rs.split(data)            // 14 shards in WASM memory, parity zeroed
 * rs.encode(shards)                        // parity written in place
 * const received = [...shards] as (Uint8Array | null)[]
 * received[0] = received[7] = received[12] = null   // lose up to 4
 * rs.reconstruct(received)                 // rebuilt in place
 * console.log(new TextDecoder().decode(rs.join(received, data.length)))
 * ```
 *
 * @packageDocumentation
 */

export {
  BackendUnavailableError,
  ReconstructRequiredError,
  ShardSizeError,
  TooFewShardsError
} from './errors.ts'
export { ReedSolomon, type ReedSolomonOptions } from './reed-solomon.ts'
export type { Shard } from './shards.ts'
