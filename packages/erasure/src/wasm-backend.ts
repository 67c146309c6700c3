// The WASM SIMD backend. Shards from allocShards live in an arena (WASM memory of their own) and
// are coded in place with zero copies; any other Uint8Arrays go through a scratch arena in
// chunks, so arbitrary shard sizes use bounded WASM memory.
import type { CodingBackend, CodingProgram } from './backend.ts'
import type { Matrix } from './matrix.ts'
import { isPresent, type Shard } from './shards.ts'
import { alignUp, arenaOf, slotStride, WasmArena } from './wasm-arena.ts'
import type { WasmKernelKind } from './wasm-module.ts'
import { prepareWasmProgram, type WasmProgram } from './wasm-program.ts'

/** Bytes per shard per round trip of the copy path (the k + 2m slots stay within L2). */
const COPY_BUDGET = 1 << 20
const MIN_COPY_CHUNK = 4096
const MAX_COPY_CHUNK = 65536
/** Verify recomputes parity in chunks of this many bytes per row inside each shard arena. */
const CHECK_CHUNK = 16384
/** Freed shard arenas kept for reuse. */
const POOL_LIMIT = 4

export class WasmBackend implements CodingBackend {
  readonly kernel: WasmKernelKind
  private readonly module: WebAssembly.Module
  private readonly dataShards: number
  private readonly parityShards: number
  private readonly tableCapacity: number
  private readonly copyChunk: number
  private scratch: WasmArena | undefined
  private pool: WasmArena[] = []

  constructor(module: WebAssembly.Module, kernel: WasmKernelKind, dataShards: number, parityShards: number) {
    this.module = module
    this.kernel = kernel
    this.dataShards = dataShards
    this.parityShards = parityShards
    // Every program has k inputs and at most m rows (encode, verify, or at most m lost shards).
    this.tableCapacity = 32 * dataShards * parityShards
    const perSlot = Math.floor(COPY_BUDGET / (dataShards + 2 * parityShards) / 64) * 64
    this.copyChunk = Math.min(MAX_COPY_CHUNK, Math.max(MIN_COPY_CHUNK, perSlot))
  }

  prepare(coefficients: Matrix): WasmProgram {
    return prepareWasmProgram(coefficients)
  }

  apply(program: CodingProgram, inputs: Uint8Array[], outputs: Uint8Array[]): void {
    const p = program as WasmProgram
    const arena = this.commonArena(inputs, outputs, p)
    if (arena !== undefined) {
      arena.setSources(inputs.map((s) => s.byteOffset))
      arena.setDestinations(outputs.map((s) => s.byteOffset))
      arena.run(p, 0, inputs[0]!.length)
      return
    }
    this.copyThrough(p, inputs, outputs.length, (scratch, slot, at, n) => {
      for (let r = 0; r < outputs.length; r++)
        outputs[r]!.set(scratch.bytes.subarray(slot(r), slot(r) + n), at)
      return true
    })
  }

  matches(program: CodingProgram, inputs: Uint8Array[], expected: Uint8Array[]): boolean {
    const p = program as WasmProgram
    const rows = expected.length
    const arena = this.commonArena(inputs, expected, p)
    if (arena?.check === undefined || arena.check.rows < rows) {
      // The expected rows are copied in after the computed ones, then compared in WASM.
      return this.copyThrough(p, inputs, rows, (scratch, slot, at, n) => {
        for (let r = 0; r < rows; r++) {
          scratch.bytes.set(expected[r]!.subarray(at, at + n), slot(rows + r))
          if (!scratch.equal(slot(r), slot(rows + r), n)) return false
        }
        return true
      })
    }
    const { at: check, chunk, stride } = arena.check
    const length = inputs[0]!.length
    arena.setSources(inputs.map((s) => s.byteOffset))
    for (let at = 0; at < length; at += chunk) {
      const n = Math.min(chunk, length - at)
      // Row r lands on check slot r: the kernel adds the offset `at` to the destination.
      arena.setDestinations(expected.map((_, r) => check + r * stride - at))
      arena.run(p, at, at + n)
      for (let r = 0; r < rows; r++) {
        if (!arena.equal(check + r * stride, expected[r]!.byteOffset + at, n)) return false
      }
    }
    return true
  }

  allocShards(count: number, size: number): Uint8Array[] {
    const reused = this.pool.findIndex((a) => a.shards!.length === count && a.shards![0]!.length === size)
    if (reused >= 0) {
      const arena = this.pool.splice(reused, 1)[0]!
      arena.pooled = false
      arena.bytes.fill(0, arena.region, arena.check!.at)
      return [...arena.shards!]
    }
    const stride = slotStride(size)
    const chunk = Math.min(alignUp(size, 64), CHECK_CHUNK)
    const checkStride = slotStride(chunk)
    const arena = new WasmArena(
      this.module,
      this.tableCapacity,
      count * stride + this.parityShards * checkStride
    )
    arena.shards = Array.from({ length: count }, (_, i) => {
      const at = arena.region + i * stride
      return arena.bytes.subarray(at, at + size)
    })
    arena.check = { at: arena.region + count * stride, chunk, stride: checkStride, rows: this.parityShards }
    return [...arena.shards]
  }

  outputFor(shards: readonly Shard[], index: number, size: number): Uint8Array {
    let arena: WasmArena | undefined
    for (let i = 0; i < shards.length; i++) {
      const s = shards[i]
      if (!isPresent(s)) continue
      const owner = arenaOf(s)
      const slot = owner?.shards?.[i]
      const isOwnSlot = slot !== undefined && slot.byteOffset === s.byteOffset && slot.length === s.length
      if (!isOwnSlot || (arena !== undefined && arena !== owner)) return new Uint8Array(size)
      arena = owner
    }
    const slot = arena?.shards?.[index]
    return arena !== undefined && !arena.pooled && slot?.length === size ? slot : new Uint8Array(size)
  }

  free(shards: readonly Shard[]): void {
    const first = shards.find(isPresent)
    const arena = first === undefined ? undefined : arenaOf(first)
    if (arena?.shards === undefined || arena.pooled) return
    arena.pooled = true
    this.pool.push(arena)
    if (this.pool.length > POOL_LIMIT) this.pool.shift()
  }

  dispose(): void {
    this.pool = []
    this.scratch = undefined
  }

  /**
   * The copy path: per chunk, copies the inputs into scratch slots, computes `rows` rows into
   * the slots after them and hands those to `each` (slot(r) is row r; slots past `rows` are
   * free). Stops early when `each` returns false.
   */
  private copyThrough(
    program: WasmProgram,
    inputs: Uint8Array[],
    rows: number,
    each: (scratch: WasmArena, slot: (r: number) => number, at: number, n: number) => boolean
  ): boolean {
    const scratch = this.scratchArena()
    const chunk = this.copyChunk
    const stride = slotStride(chunk)
    const k = inputs.length
    const input = (j: number): number => scratch.region + j * stride
    const output = (r: number): number => input(k + r)
    scratch.setSources(inputs.map((_, j) => input(j)))
    scratch.setDestinations(Array.from({ length: rows }, (_, r) => output(r)))
    const length = inputs[0]!.length
    for (let at = 0; at < length; at += chunk) {
      const n = Math.min(chunk, length - at)
      for (let j = 0; j < k; j++) scratch.bytes.set(inputs[j]!.subarray(at, at + n), input(j))
      scratch.run(program, 0, n)
      if (!each(scratch, output, at, n)) return false
    }
    return true
  }

  /** The arena holding every one of these views (and roomy enough for the tables), if one does. */
  private commonArena(a: Uint8Array[], b: Uint8Array[], program: WasmProgram): WasmArena | undefined {
    const arena = arenaOf(a[0]!)
    if (arena === undefined || arena.tableCapacity < program.tables.length) return undefined
    for (const s of a) if (arenaOf(s) !== arena) return undefined
    for (const s of b) if (arenaOf(s) !== arena) return undefined
    return arena
  }

  private scratchArena(): WasmArena {
    this.scratch ??= new WasmArena(
      this.module,
      this.tableCapacity,
      (this.dataShards + 2 * this.parityShards) * slotStride(this.copyChunk)
    )
    return this.scratch
  }
}
