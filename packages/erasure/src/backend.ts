// The contract every coding backend (WASM SIMD, pure TypeScript) fulfils; ReedSolomon holds the
// matrices and the shard bookkeeping, a backend only multiplies and allocates.
import type { Matrix } from './matrix.ts'

/** Coefficient rows prepared for one backend (tables built once, reused for every call). */
export interface CodingProgram {
  readonly coefficients: Matrix
  /** Bytes of prepared tables, for cache accounting. */
  readonly size: number
}

export interface CodingBackend {
  /** 'wasm-relaxed-simd', 'wasm-simd' or 'ts'. */
  readonly kernel: string
  prepare(coefficients: Matrix): CodingProgram
  /** outputs[r] = XOR over j of coefficients[r][j] * inputs[j], over the whole (equal) length. */
  apply(program: CodingProgram, inputs: Uint8Array[], outputs: Uint8Array[]): void
  /** Whether `expected` equals what apply would write, without allocating whole outputs. */
  matches(program: CodingProgram, inputs: Uint8Array[], expected: Uint8Array[]): boolean
  /** `count` zeroed shards of `size` bytes; for WASM, views into WASM memory. */
  allocShards(count: number, size: number): Uint8Array[]
  /** Where to put rebuilt shard `index` of `shards` (a free slot beside the others, or new memory). */
  outputFor(shards: ReadonlyArray<Uint8Array | null | undefined>, index: number, size: number): Uint8Array
  free(shards: ReadonlyArray<Uint8Array | null | undefined>): void
  dispose(): void
}
