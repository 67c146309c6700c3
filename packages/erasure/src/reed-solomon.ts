// Reed-Solomon over GF(2^8), byte-compatible with klauspost/reedsolomon `New(k, m)`.
import type { CodingBackend, CodingProgram } from './backend.ts'
import { BackendUnavailableError, ReconstructRequiredError, TooFewShardsError } from './errors.ts'
import { LruCache } from './lru.ts'
import { encodingMatrix, invert, type Matrix, multiply } from './matrix.ts'
import { checkCount, checkShardList, commonSize, isPresent, type Shard } from './shards.ts'
import { TsBackend } from './ts-backend.ts'
import { WasmBackend } from './wasm-backend.ts'
import { compileKernel, compileKernelSync, supportedKernel, type WasmKernelKind } from './wasm-module.ts'

export interface ReedSolomonOptions {
  /** k: shards the data is split into, 1..255. */
  dataShards: number
  /** m: parity shards, so any m shards may be lost; 1..255, k + m <= 256. */
  parityShards: number
  /** 'auto' (default): WASM SIMD where the runtime validates it, else pure TypeScript. */
  backend?: 'auto' | 'wasm' | 'ts'
  /** Use i8x16.relaxed_swizzle where available (default true); false forces the standard swizzle. */
  relaxedSimd?: boolean
  /** Decoding matrices kept per loss pattern (least recently used dropped). Default: up to 64. */
  cacheSize?: number
}

/** Keep cached decoders within about 8 MiB of tables. */
const CACHE_BYTES = 8 << 20

export class ReedSolomon {
  readonly dataShards: number
  readonly parityShards: number
  readonly totalShards: number
  private readonly impl: CodingBackend
  private readonly matrix: Matrix
  private readonly parity: CodingProgram
  private readonly decoders: LruCache<string, CodingProgram>

  /** Validates the shape and picks the backend; WASM is compiled once per process. */
  static async create(options: ReedSolomonOptions): Promise<ReedSolomon> {
    const kind = chooseKernel(options)
    return new ReedSolomon(options, kind === undefined ? undefined : await compileKernel(kind), kind)
  }

  /** As create, synchronously (the kernel is a few KiB, so compiling it inline is cheap). */
  static createSync(options: ReedSolomonOptions): ReedSolomon {
    const kind = chooseKernel(options)
    return new ReedSolomon(options, kind === undefined ? undefined : compileKernelSync(kind), kind)
  }

  private constructor(
    options: ReedSolomonOptions,
    module: WebAssembly.Module | undefined,
    kind: WasmKernelKind | undefined
  ) {
    const k = options.dataShards
    const m = options.parityShards
    this.dataShards = k
    this.parityShards = m
    this.totalShards = k + m
    this.impl =
      module === undefined || kind === undefined ? new TsBackend() : new WasmBackend(module, kind, k, m)
    this.matrix = encodingMatrix(k, m)
    this.parity = this.impl.prepare(this.matrix.slice(k))
    const fit = Math.min(64, Math.max(4, Math.floor(CACHE_BYTES / (32 * k * m))))
    this.decoders = new LruCache(
      options.cacheSize === undefined ? fit : checkCount('cacheSize', options.cacheSize, 1, 65536)
    )
  }

  /** 'wasm' or 'ts': which implementation codes the shards. */
  get backend(): 'wasm' | 'ts' {
    return this.impl.kernel === 'ts' ? 'ts' : 'wasm'
  }

  /** 'wasm-relaxed-simd', 'wasm-simd' or 'ts'. */
  get kernel(): string {
    return this.impl.kernel
  }

  /**
   * Computes the m parity shards from the k data shards, in place. Missing parity slots (null,
   * undefined, empty) are allocated. Returns the same array, now complete.
   */
  encode(shards: Shard[]): Uint8Array[] {
    const k = this.dataShards
    checkShardList(shards, this.totalShards)
    const data = shards.slice(0, k).filter((s) => s !== null && s !== undefined)
    if (data.length < k) throw new TooFewShardsError(`have ${data.length} data shards, need ${k}`)
    const size = commonSize(
      shards,
      indices(shards, (s, i) => i < k || isPresent(s))
    )
    const parity = shards
      .slice(k)
      .map((s, p) => (isPresent(s) ? s : this.impl.outputFor(shards, k + p, size)))
    this.impl.apply(this.parity, data, parity)
    for (let p = 0; p < parity.length; p++) shards[k + p] = parity[p]
    return shards as Uint8Array[]
  }

  /** Whether the parity shards match the data shards. Every shard must be present. */
  verify(shards: Shard[]): boolean {
    const k = this.dataShards
    checkShardList(shards, this.totalShards)
    const present = shards.filter((s) => s !== null && s !== undefined)
    if (present.length < this.totalShards) {
      throw new TooFewShardsError(`have ${present.length} shards, need ${this.totalShards}`)
    }
    commonSize(
      shards,
      indices(shards, () => true)
    )
    return this.impl.matches(this.parity, present.slice(0, k), present.slice(k))
  }

  /** Rebuilds every missing shard (null, undefined or empty) in place; returns the full array. */
  reconstruct(shards: Shard[]): Uint8Array[] {
    return this.rebuild(shards, false) as Uint8Array[]
  }

  /** Rebuilds only the missing data shards; missing parity stays missing. Returns the array. */
  reconstructData(shards: Shard[]): Shard[] {
    return this.rebuild(shards, true)
  }

  /**
   * Cuts data into k equal shards (the last padded with zeros) plus m zeroed parity shards, ready
   * for encode. With the WASM backend they are allocShards views, so encode runs in place.
   */
  split(data: Uint8Array): Uint8Array[] {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array')
    if (data.length === 0) throw new RangeError('data must not be empty, got 0 bytes')
    const perShard = Math.ceil(data.length / this.dataShards)
    const shards = this.impl.allocShards(this.totalShards, perShard)
    for (let i = 0; i < this.dataShards; i++) {
      shards[i]!.set(data.subarray(i * perShard, Math.min(data.length, (i + 1) * perShard)))
    }
    return shards
  }

  /** The first `size` bytes of the data shards, concatenated (the inverse of split). */
  join(shards: Shard[], size: number): Uint8Array {
    checkShardList(shards, this.dataShards, true)
    let available = 0
    for (let i = 0; i < this.dataShards; i++) {
      const s = shards[i]
      if (!isPresent(s))
        throw new ReconstructRequiredError(`data shard ${i} is missing: reconstruct before join`)
      available += s.length
    }
    checkCount('size', size, 0, available)
    const out = new Uint8Array(size)
    for (let i = 0, at = 0; at < size; i++) {
      const s = shards[i]!
      const n = Math.min(s.length, size - at)
      out.set(n === s.length ? s : s.subarray(0, n), at)
      at += n
    }
    return out
  }

  /**
   * k + m zeroed shards of `shardSize` bytes. With the WASM backend they are views into WASM
   * memory that encode, reconstruct and verify use without copying. The views stay valid until
   * passed to free (after which the memory may be handed out again) or garbage collected.
   */
  allocShards(shardSize: number): Uint8Array[] {
    checkCount('shardSize', shardSize, 1, 2 ** 31)
    return this.impl.allocShards(this.totalShards, shardSize)
  }

  /** Returns allocShards memory for reuse. The views must not be used afterwards. */
  free(shards: Shard[]): void {
    this.impl.free(shards)
  }

  /** Drops pooled memory and cached decoders. The instance stays usable. */
  dispose(): void {
    this.impl.dispose()
    this.decoders.clear()
  }

  private rebuild(shards: Shard[], dataOnly: boolean): Shard[] {
    const k = this.dataShards
    checkShardList(shards, this.totalShards)
    const present = indices(shards, isPresent)
    if (present.length < k) throw new TooFewShardsError(`have ${present.length} shards, need ${k}`)
    const size = commonSize(shards, present)
    const missing = indices(shards, (s, i) => !isPresent(s) && (!dataOnly || i < k))
    if (missing.length === 0) return shards
    // As klauspost: decode from the first k shards present (data shards come first, and their
    // rows are the identity, so losing only parity needs no inversion).
    const sources = present.slice(0, k)
    const program = this.decoder(sources, missing)
    const outputs = missing.map((i) => this.impl.outputFor(shards, i, size))
    this.impl.apply(
      program,
      sources.map((i) => shards[i]!),
      outputs
    )
    for (let r = 0; r < missing.length; r++) shards[missing[r]!] = outputs[r]
    return shards
  }

  /** Rows that compute the `missing` shards from the `sources` shards, cached per loss pattern. */
  private decoder(sources: number[], missing: number[]): CodingProgram {
    const key = `${sources.join(',')}>${missing.join(',')}`
    let program = this.decoders.get(key)
    if (program === undefined) {
      const k = this.dataShards
      const identity = sources[k - 1] === k - 1
      const inverse = identity ? undefined : invert(sources.map((i) => this.matrix[i]!))
      const rows = missing.map((i) => {
        if (inverse === undefined) return this.matrix[i]!
        return i < k ? inverse[i]! : multiply([this.matrix[i]!], inverse)[0]!
      })
      program = this.impl.prepare(rows)
      this.decoders.set(key, program)
    }
    return program
  }
}

function indices(shards: readonly Shard[], keep: (s: Shard, i: number) => boolean): number[] {
  const out: number[] = []
  for (let i = 0; i < shards.length; i++) if (keep(shards[i], i)) out.push(i)
  return out
}

function chooseKernel(options: ReedSolomonOptions): WasmKernelKind | undefined {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
  const k = checkCount('dataShards', options.dataShards, 1, 255)
  const m = checkCount('parityShards', options.parityShards, 1, 255)
  if (k + m > 256) throw new RangeError(`dataShards + parityShards must be at most 256, got ${k + m}`)
  const backend = options.backend ?? 'auto'
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'ts') {
    throw new RangeError(`backend must be 'auto', 'wasm' or 'ts', got ${String(backend)}`)
  }
  if (backend === 'ts') return undefined
  const kind = supportedKernel(options.relaxedSimd ?? true)
  if (kind === undefined && backend === 'wasm') {
    throw new BackendUnavailableError(
      'backend wasm needs WebAssembly SIMD128, which this runtime does not have'
    )
  }
  return kind
}
