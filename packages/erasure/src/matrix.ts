// Matrices over GF(2^8) as arrays of rows, and the encoding matrix of klauspost `New(k, m)`.
import { gfDiv, gfMul, gfPow } from './galois.ts'

export type Matrix = Uint8Array[]

export function multiply(a: Matrix, b: Matrix): Matrix {
  const inner = b.length
  const cols = b[0]!.length
  return a.map((row) => {
    const out = new Uint8Array(cols)
    for (let c = 0; c < cols; c++) {
      let sum = 0
      for (let i = 0; i < inner; i++) sum ^= gfMul(row[i]!, b[i]![c]!)
      out[c] = sum
    }
    return out
  })
}

/** The inverse of a square matrix by Gauss-Jordan elimination; throws if it is singular. */
export function invert(m: Matrix): Matrix {
  const n = m.length
  const work = m.map((row, r) => {
    const wide = new Uint8Array(2 * n)
    wide.set(row)
    wide[n + r] = 1
    return wide
  })
  for (let col = 0; col < n; col++) {
    let pivot = col
    while (pivot < n && work[pivot]![col] === 0) pivot++
    if (pivot === n) throw new Error('matrix is singular')
    if (pivot !== col) [work[col], work[pivot]] = [work[pivot]!, work[col]!]
    const pivotRow = work[col]!
    const scale = gfDiv(1, pivotRow[col]!)
    if (scale !== 1) for (let c = 0; c < 2 * n; c++) pivotRow[c] = gfMul(pivotRow[c]!, scale)
    for (let r = 0; r < n; r++) {
      const row = work[r]!
      const factor = row[col]!
      if (r === col || factor === 0) continue
      for (let c = 0; c < 2 * n; c++) row[c]! ^= gfMul(factor, pivotRow[c]!)
    }
  }
  return work.map((row) => row.slice(n))
}

/**
 * The systematic encoding matrix of klauspost/reedsolomon `New(k, m)`: the (k + m) x k
 * Vandermonde matrix V[r][c] = r^c, times the inverse of its top k x k square, so the top is
 * the identity and every k rows stay invertible.
 */
export function encodingMatrix(dataShards: number, parityShards: number): Matrix {
  const total = dataShards + parityShards
  const vandermonde = Array.from({ length: total }, (_, r) =>
    Uint8Array.from({ length: dataShards }, (_, c) => gfPow(r, c))
  )
  return multiply(vandermonde, invert(vandermonde.slice(0, dataShards)))
}
