// Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator 2,
// the field of klauspost/reedsolomon and Backblaze JavaReedSolomon.

/** EXP[i] = 2^i for i in 0..509, doubled so EXP[LOG[a] + LOG[b]] needs no modulo. */
export const EXP = new Uint8Array(510)
/** LOG[a] for a in 1..255; LOG[0] is unused. */
export const LOG = new Uint16Array(256)

for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x
  EXP[i + 255] = x
  LOG[x] = i
  x <<= 1
  if (x & 0x100) x ^= 0x11d
}

export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!
}

export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(2^8)')
  return a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!
}

/** a^n, with 0^0 = 1 as klauspost's galExp has it. */
export function gfPow(a: number, n: number): number {
  if (n === 0) return 1
  if (a === 0) return 0
  return EXP[(LOG[a]! * n) % 255]!
}

let table: Uint8Array | undefined

/** The full 256 x 256 product table, built on first use: row c is c * [0..255]. */
export function mulTable(): Uint8Array {
  if (table === undefined) {
    table = new Uint8Array(65536)
    for (let a = 1; a < 256; a++) for (let b = 1; b < 256; b++) table[(a << 8) | b] = EXP[LOG[a]! + LOG[b]!]!
  }
  return table
}
