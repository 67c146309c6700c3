// The pure-TypeScript backend, for runtimes without WebAssembly SIMD. It works on 32-bit words:
// for each coefficient c a 1024-entry table holds c * b shifted into each of the four byte lanes,
// so one word of output is four lookups and three XORs, with no shifts to reassemble it.
import type { CodingBackend, CodingProgram } from './backend.ts'
import { mulTable } from './galois.ts'
import type { Matrix } from './matrix.ts'
import type { Shard } from './shards.ts'

/** Bytes per shard per pass: inputs and outputs of one chunk stay in L1/L2. */
const CHUNK = 16384

interface TsProgram extends CodingProgram {
  /** words[r][j]: the lane tables of coefficients[r][j] (undefined for 0 and 1). */
  readonly words: (Uint32Array | undefined)[][]
}

const laneTables: Uint32Array[] = []

/** Shared by every program: at most 255 tables of 4 KiB. */
function laneTable(c: number): Uint32Array {
  const cached = laneTables[c]
  if (cached !== undefined) return cached
  const products = mulTable().subarray(c << 8, (c << 8) + 256)
  const lanes = new Uint32Array(1024)
  for (let b = 0; b < 256; b++) {
    const p = products[b]!
    lanes[b] = p
    lanes[256 + b] = p << 8
    lanes[512 + b] = p << 16
    lanes[768 + b] = (p << 24) >>> 0
  }
  laneTables[c] = lanes
  return lanes
}

/** A word view of bytes [at, at + n) when aligned, else undefined. */
function wordsOf(bytes: Uint8Array, at: number, n: number): Uint32Array | undefined {
  const start = bytes.byteOffset + at
  return start % 4 === 0 ? new Uint32Array(bytes.buffer, start, n >>> 2) : undefined
}

export class TsBackend implements CodingBackend {
  readonly kernel = 'ts'
  private readonly inputScratch: Uint8Array[] = []
  private readonly outputScratch: Uint8Array[] = []

  prepare(coefficients: Matrix): TsProgram {
    const words = coefficients.map((row) => Array.from(row, (c) => (c > 1 ? laneTable(c) : undefined)))
    return { coefficients, words, size: coefficients.length * coefficients[0]!.length }
  }

  apply(program: CodingProgram, inputs: Uint8Array[], outputs: Uint8Array[]): void {
    const length = inputs[0]!.length
    for (let at = 0; at < length; at += CHUNK) {
      const n = Math.min(CHUNK, length - at)
      const out = this.multiplyChunk(program as TsProgram, inputs, at, n, outputs)
      for (let r = 0; r < outputs.length; r++) {
        if (out[r] !== outputs[r]) outputs[r]!.set(out[r]!.subarray(0, n), at)
      }
    }
  }

  matches(program: CodingProgram, inputs: Uint8Array[], expected: Uint8Array[]): boolean {
    const length = inputs[0]!.length
    for (let at = 0; at < length; at += CHUNK) {
      const n = Math.min(CHUNK, length - at)
      const out = this.multiplyChunk(program as TsProgram, inputs, at, n, undefined)
      for (let r = 0; r < expected.length; r++) {
        const want = expected[r]!
        const got = out[r]!
        for (let i = 0; i < n; i++) if (got[i] !== want[at + i]) return false
      }
    }
    return true
  }

  allocShards(count: number, size: number): Uint8Array[] {
    return Array.from({ length: count }, () => new Uint8Array(size))
  }

  outputFor(_shards: readonly Shard[], _index: number, size: number): Uint8Array {
    return new Uint8Array(size)
  }

  free(): void {}

  dispose(): void {
    this.inputScratch.length = 0
    this.outputScratch.length = 0
  }

  /**
   * Computes bytes [at, at + n) of every row. Returns per row either `targets[r]` (written in
   * place at `at`) or a scratch buffer holding the chunk from index 0.
   */
  private multiplyChunk(
    program: TsProgram,
    inputs: Uint8Array[],
    at: number,
    n: number,
    targets: Uint8Array[] | undefined
  ): Uint8Array[] {
    const words = n >>> 2
    const tail = n & 3
    const sources = inputs.map((input, j) => {
      const aligned = wordsOf(input, at, n)
      if (aligned !== undefined) return { bytes: input, offset: at, words: aligned }
      const copy = this.scratch(this.inputScratch, j)
      copy.set(input.subarray(at, at + n))
      return { bytes: copy, offset: 0, words: new Uint32Array(copy.buffer, 0, words) }
    })
    const results: Uint8Array[] = []
    for (let r = 0; r < program.coefficients.length; r++) {
      const target = targets?.[r]
      const direct = target !== undefined ? wordsOf(target, at, n) : undefined
      const out = direct !== undefined ? target! : this.scratch(this.outputScratch, r)
      const outOffset = direct !== undefined ? at : 0
      const outWords = direct ?? new Uint32Array(out.buffer, 0, words)
      const coefficients = program.coefficients[r]!
      let first = true
      for (let j = 0; j < sources.length; j++) {
        const c = coefficients[j]!
        if (c === 0) continue
        const src = sources[j]!
        const lanes = program.words[r]![j]
        if (lanes === undefined) xorWords(outWords, src.words, words, first)
        else mulWords(outWords, src.words, words, lanes, first)
        for (let i = n - tail; i < n; i++) {
          const product = mulTable()[(c << 8) | src.bytes[src.offset + i]!]!
          out[outOffset + i] = first ? product : out[outOffset + i]! ^ product
        }
        first = false
      }
      if (first) out.fill(0, outOffset, outOffset + n)
      results.push(out)
    }
    return results
  }

  private scratch(list: Uint8Array[], index: number): Uint8Array {
    list[index] ??= new Uint8Array(CHUNK)
    return list[index]!
  }
}

function xorWords(out: Uint32Array, src: Uint32Array, n: number, first: boolean): void {
  if (first) out.set(src.subarray(0, n))
  else for (let i = 0; i < n; i++) out[i]! ^= src[i]!
}

function mulWords(out: Uint32Array, src: Uint32Array, n: number, t: Uint32Array, first: boolean): void {
  if (first) {
    for (let i = 0; i < n; i++) {
      const v = src[i]!
      out[i] = t[v & 255]! ^ t[256 | ((v >>> 8) & 255)]! ^ t[512 | ((v >>> 16) & 255)]! ^ t[768 | (v >>> 24)]!
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = src[i]!
      out[i]! ^=
        t[v & 255]! ^ t[256 | ((v >>> 8) & 255)]! ^ t[512 | ((v >>> 16) & 255)]! ^ t[768 | (v >>> 24)]!
    }
  }
}
