// Turns coefficient rows into the kernel's split-nibble tables: for coefficient c, 16 bytes
// c * [0..15] and 16 bytes c * ([0..15] << 4). Rows are grouped by 8, the most the kernel
// computes in one pass over the inputs.
import type { CodingProgram } from './backend.ts'
import { gfMul } from './galois.ts'
import type { Matrix } from './matrix.ts'
import { alignUp, type WasmTables } from './wasm-arena.ts'

const MAX_ROWS_PER_PASS = 8
/** Working set of one pass when rows take several passes: inputs + outputs chunks within L2. */
const PASS_BUDGET = 1 << 20

export interface WasmProgram extends CodingProgram, WasmTables {}

export function prepareWasmProgram(coefficients: Matrix): WasmProgram {
  const rows = coefficients.length
  const inputs = coefficients[0]!.length
  const tables = new Uint8Array(32 * rows * inputs)
  const groups: { rows: number; first: number; tableOffset: number }[] = []
  let offset = 0
  for (let first = 0; first < rows; first += MAX_ROWS_PER_PASS) {
    const count = Math.min(MAX_ROWS_PER_PASS, rows - first)
    groups.push({ rows: count, first, tableOffset: offset })
    for (let j = 0; j < inputs; j++) {
      for (let r = 0; r < count; r++) {
        const c = coefficients[first + r]![j]!
        for (let i = 0; i < 16; i++) {
          tables[offset + i] = gfMul(c, i)
          tables[offset + 16 + i] = gfMul(c, i << 4)
        }
        offset += 32
      }
    }
  }
  const chunk = Math.max(4096, alignUp(Math.floor(PASS_BUDGET / (inputs + rows)), 64))
  return { coefficients, tables, groups, chunk, size: tables.length }
}
