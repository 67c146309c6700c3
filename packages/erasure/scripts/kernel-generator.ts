// Generates the WASM SIMD128 GF(2^8) kernel: the split-nibble table method (PSHUFB-style). Each
// coefficient c has two 16-byte tables, c * [0..15] and c * [0..15] << 4, and a product of 16
// bytes x is swizzle(lowTable, x & 15) ^ swizzle(highTable, x >> 4). The relaxed swizzle lowers
// to one PSHUFB on x86 (the plain one needs an extra saturating add per lookup), so both are
// emitted and the loader picks the relaxed one where the runtime validates it.
//
// Exports `mulR(inputs, srcs, dsts, tables, start, end)` for R = 1..MAX_ROWS (8) output rows:
//   for every byte offset i in [start, end): dst_r[i] = XOR_j c[r][j] * src_j[i]
// srcs: `inputs` i32 addresses; dsts: R i32 addresses; tables: [j][r] x 32 bytes (low table,
// then high table). One pass reads every input once and keeps all R x UNROLL accumulators in
// registers; a 16-byte loop and a byte loop finish any length, so no padding is needed.
// Exports `equal(a, b, length)`: 1 when the two byte ranges are equal.
import { assembleModule, FunctionBuilder, I32, V128 } from './wasm-assembler.ts'

export interface KernelOptions {
  relaxed: boolean
  /** 16-byte vectors per input per iteration, by row count (registers: R x U accumulators). */
  unroll?: Record<number, number>
}

/** Past 4 rows the accumulators no longer fit twice in the 16 x86 vector registers: unroll 1. */
export const MAX_ROWS = 8
const DEFAULT_UNROLL: Record<number, number> = { 1: 4, 2: 4, 3: 2, 4: 2, 5: 1, 6: 1, 7: 1, 8: 1 }

export function generateKernel(options: KernelOptions): Uint8Array {
  const unroll = { ...DEFAULT_UNROLL, ...options.unroll }
  const functions: FunctionBuilder[] = []
  for (let rows = 1; rows <= MAX_ROWS; rows++) functions.push(mulRows(rows, unroll[rows]!, options.relaxed))
  functions.push(equal())
  return assembleModule(functions)
}

function mulRows(R: number, U: number, relaxed: boolean): FunctionBuilder {
  const f = new FunctionBuilder(`mul${R}`, [I32, I32, I32, I32, I32, I32], [])
  const [inputs, srcs, dsts, tables, start, end] = [0, 1, 2, 3, 4, 5]
  const off = f.local(I32)
  const srcEnd = f.local(I32)
  const sp = f.local(I32)
  const p = f.local(I32)
  const t = f.local(I32)
  const mask = f.local(V128)
  const x = f.local(V128)
  const tl = f.local(V128)
  const th = f.local(V128)
  const lo = Array.from({ length: U }, () => f.local(V128))
  const hi = Array.from({ length: U }, () => f.local(V128))
  const acc = Array.from({ length: R }, () => Array.from({ length: U }, () => f.local(V128)))
  const swizzle = (): FunctionBuilder => (relaxed ? f.relaxedSwizzle() : f.swizzle())

  f.v128Const(new Array(16).fill(0x0f)).set(mask)
  f.get(srcs).get(inputs).i32(2).shl().add().set(srcEnd)
  f.get(start).set(off)

  // Vector passes: `width` vectors of 16 bytes per input per iteration, while they fit.
  const vectorPass = (width: number): void => {
    const fits = (): void => {
      f.get(off)
        .i32(16 * width)
        .add()
        .get(end)
        .leU()
    }
    // Loads 16 x width bytes of the input at `p` and splits them into nibble indices.
    const split = (): void => {
      for (let u = 0; u < width; u++) {
        f.get(p)
          .v128Load(16 * u)
          .tee(x)
          .get(mask)
          .v128And()
          .set(lo[u]!)
        f.get(x).i32(4).i16x8ShrU().get(mask).v128And().set(hi[u]!)
      }
    }
    // acc[r][u] (^)= lowTable[r] <swizzle> lo[u] ^ highTable[r] <swizzle> hi[u]
    const multiply = (first: boolean): void => {
      for (let r = 0; r < R; r++) {
        f.get(t)
          .v128Load(32 * r)
          .set(tl)
        f.get(t)
          .v128Load(32 * r + 16)
          .set(th)
        for (let u = 0; u < width; u++) {
          f.get(tl).get(lo[u]!)
          swizzle()
          f.get(th).get(hi[u]!)
          swizzle()
          f.v128Xor()
          if (!first) f.get(acc[r]![u]!).v128Xor()
          f.set(acc[r]![u]!)
        }
      }
      f.get(t)
        .i32(32 * R)
        .add()
        .set(t)
    }
    f.block()
    fits()
    f.eqz().brIf(0)
    f.loop()
    // The first input initialises the accumulators.
    f.get(srcs).i32Load().get(off).add().set(p)
    f.get(tables).set(t)
    split()
    multiply(true)
    f.get(srcs).i32(4).add().tee(sp).get(srcEnd).ltU()
    f.if()
    f.loop()
    f.get(sp).i32Load().get(off).add().set(p)
    split()
    multiply(false)
    f.get(sp).i32(4).add().tee(sp).get(srcEnd).ltU().brIf(0)
    f.end() // loop
    f.end() // if
    for (let r = 0; r < R; r++) {
      f.get(dsts)
        .i32Load(4 * r)
        .get(off)
        .add()
        .set(p)
      for (let u = 0; u < width; u++)
        f.get(p)
          .get(acc[r]![u]!)
          .v128Store(16 * u)
    }
    f.get(off)
      .i32(16 * width)
      .add()
      .set(off)
    fits()
    f.brIf(0)
    f.end() // loop
    f.end() // block
  }
  vectorPass(U)
  if (U > 1) vectorPass(1)

  // Byte tail: the same tables, one byte at a time.
  const a = Array.from({ length: R }, () => f.local(I32))
  const b = f.local(I32)
  f.block()
  f.get(off).get(end).ltU().eqz().brIf(0)
  f.loop()
  for (let r = 0; r < R; r++) f.i32(0).set(a[r]!)
  f.get(srcs).set(sp)
  f.get(tables).set(t)
  f.loop()
  f.get(sp).i32Load().get(off).add().i32Load8().set(b)
  for (let r = 0; r < R; r++) {
    f.get(a[r]!)
    f.get(t)
      .get(b)
      .i32(15)
      .and()
      .add()
      .i32Load8(32 * r)
      .xor()
    f.get(t)
      .get(b)
      .i32(4)
      .shrU()
      .add()
      .i32Load8(32 * r + 16)
      .xor()
    f.set(a[r]!)
  }
  f.get(t)
    .i32(32 * R)
    .add()
    .set(t)
  f.get(sp).i32(4).add().tee(sp).get(srcEnd).ltU().brIf(0)
  f.end() // loop over inputs
  for (let r = 0; r < R; r++)
    f.get(dsts)
      .i32Load(4 * r)
      .get(off)
      .add()
      .get(a[r]!)
      .i32Store8()
  f.get(off).i32(1).add().tee(off).get(end).ltU().brIf(0)
  f.end() // loop over bytes
  f.end() // block
  return f
}

function equal(): FunctionBuilder {
  const f = new FunctionBuilder('equal', [I32, I32, I32], [I32])
  const [a, b, length] = [0, 1, 2]
  const off = f.local(I32)
  const diff = f.local(I32)
  const acc = f.local(V128)
  f.v128Const(new Array(16).fill(0)).set(acc)
  f.block()
  f.get(length).i32(16).ltU().brIf(0)
  f.loop()
  f.get(a).get(off).add().v128Load()
  f.get(b).get(off).add().v128Load()
  f.v128Xor().get(acc).v128Or().set(acc)
  f.get(off).i32(16).add().tee(off).i32(16).add().get(length).leU().brIf(0)
  f.end()
  f.end()
  f.block()
  f.get(off).get(length).ltU().eqz().brIf(0)
  f.loop()
  f.get(a).get(off).add().i32Load8()
  f.get(b).get(off).add().i32Load8()
  f.xor().get(diff).or().set(diff)
  f.get(off).i32(1).add().tee(off).get(length).ltU().brIf(0)
  f.end()
  f.end()
  f.get(acc).anyTrue().get(diff).or().eqz()
  return f
}
