// One WASM instance with its own linear memory, sized once and never grown: `memory.grow` would
// detach every view of the old buffer, so an arena's views stay valid for its whole life.
// Layout: [source pointers | destination pointers | coefficient tables | region]. The region
// holds either k + m shards (allocShards) or the chunk slots of the copy path.
import type { CodingProgram } from './backend.ts'

type MulFunction = (
  inputs: number,
  srcs: number,
  dsts: number,
  tables: number,
  start: number,
  end: number
) => void

const SRC_POINTERS = 0
const DST_POINTERS = 1024
const TABLES = 2048
const PAGE = 65536

export const alignUp = (n: number, to: number): number => Math.ceil(n / to) * to

/**
 * Distance between consecutive shard slots: 64-byte aligned, and for slots of a page or more,
 * 17 cache lines past a multiple of 4 KiB. Slots a power of two apart all map to the same L1
 * sets (and alias in the 4K store-forwarding check): staggering them was worth 20% on 10+4.
 */
export function slotStride(size: number): number {
  const aligned = alignUp(size, 64)
  return aligned < 4096 ? aligned : aligned + ((17 * 64 - (aligned % 4096) + 4096) % 4096)
}

/** Scratch for verify: recomputed rows are compared chunk by chunk, `rows` slots `stride` apart. */
export interface CheckArea {
  at: number
  chunk: number
  stride: number
  rows: number
}

const arenas = new WeakMap<ArrayBufferLike, WasmArena>()

/** The arena whose memory backs this view, if any. */
export function arenaOf(view: Uint8Array): WasmArena | undefined {
  return arenas.get(view.buffer)
}

export class WasmArena {
  readonly memory: WebAssembly.Memory
  readonly bytes: Uint8Array
  readonly tableCapacity: number
  /** Byte address where the region starts (64-byte aligned). */
  readonly region: number
  /** `mul[R]` multiplies R output rows at once (R = 1..8). */
  private readonly mul: MulFunction[] = []
  private readonly words: Uint32Array
  private readonly equalFn: (a: number, b: number, length: number) => number
  /** The program whose tables are in memory now, so a repeated call skips the copy. */
  private loaded: unknown
  /** Set for allocShards arenas: the k + m views handed out, and the verify scratch. */
  shards: Uint8Array[] | undefined
  check: CheckArea | undefined
  pooled = false

  constructor(module: WebAssembly.Module, tableCapacity: number, regionSize: number) {
    this.tableCapacity = tableCapacity
    this.region = alignUp(TABLES + tableCapacity, 64)
    const pages = Math.max(1, Math.ceil((this.region + regionSize) / PAGE))
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
    const exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports
    for (let r = 1; exports[`mul${r}`] !== undefined; r++) this.mul[r] = exports[`mul${r}`] as MulFunction
    this.equalFn = exports.equal as (a: number, b: number, length: number) => number
    this.bytes = new Uint8Array(this.memory.buffer)
    this.words = new Uint32Array(this.memory.buffer)
    arenas.set(this.memory.buffer, this)
  }

  get maxRows(): number {
    return this.mul.length - 1
  }

  /** Points the kernel at its inputs (byte addresses in this memory). */
  setSources(addresses: ArrayLike<number>): void {
    for (let j = 0; j < addresses.length; j++) this.words[SRC_POINTERS / 4 + j] = addresses[j]!
  }

  /** Points output row r at `addresses[r]`; an address may wrap below 0 (the kernel adds the offset mod 2^32). */
  setDestinations(addresses: ArrayLike<number>): void {
    for (let r = 0; r < addresses.length; r++) this.words[DST_POINTERS / 4 + r] = addresses[r]! >>> 0
  }

  /** Computes bytes [start, end) of every output row of `program` into the destinations. */
  run(program: CodingProgram & WasmTables, start: number, end: number): void {
    if (this.loaded !== program) {
      this.bytes.set(program.tables, TABLES)
      this.loaded = program
    }
    const inputs = program.coefficients[0]!.length
    const step = program.groups.length > 1 ? program.chunk : end - start
    for (let at = start; at < end; at += step) {
      const stop = Math.min(end, at + step)
      for (const g of program.groups) {
        this.mul[g.rows]!(inputs, SRC_POINTERS, DST_POINTERS + 4 * g.first, TABLES + g.tableOffset, at, stop)
      }
    }
  }

  equal(a: number, b: number, length: number): boolean {
    return this.equalFn(a, b, length) === 1
  }
}

/** Nibble tables laid out for the kernel: per group of rows, [input][row] x 32 bytes. */
export interface WasmTables {
  readonly tables: Uint8Array
  readonly groups: ReadonlyArray<{ rows: number; first: number; tableOffset: number }>
  /** Bytes per shard per pass when rows need several passes, so the pass stays in L2. */
  readonly chunk: number
}
