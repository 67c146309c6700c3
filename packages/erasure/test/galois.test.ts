// The field and matrix code against slow references: carry-less multiplication and the
// definition of an inverse.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gfDiv, gfMul, gfPow, mulTable } from '../src/galois.ts'
import { LruCache } from '../src/lru.ts'
import { encodingMatrix, invert, multiply } from '../src/matrix.ts'
import { pick, random } from './helpers.ts'

/** Shift-and-add multiplication modulo x^8 + x^4 + x^3 + x^2 + 1. */
function slowMul(a: number, b: number): number {
  let product = 0
  for (let i = 0; i < 8; i++) {
    if (b & (1 << i)) product ^= a << i
  }
  for (let bit = 15; bit >= 8; bit--) if (product & (1 << bit)) product ^= 0x11d << (bit - 8)
  return product
}

describe('GF(2^8)', () => {
  it('multiplication, division, powers and the 64 KiB table agree with the slow reference', () => {
    const table = mulTable()
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        const p = slowMul(a, b)
        assert.equal(gfMul(a, b), p)
        assert.equal(table[(a << 8) | b], p)
        if (b !== 0) assert.equal(gfDiv(p, b), a)
      }
    }
    assert.equal(gfPow(0, 0), 1)
    assert.equal(gfPow(2, 8), 0x1d)
    assert.throws(() => gfDiv(1, 0), RangeError)
  })

  it('every k-row subset of the encoding matrix inverts (any k shards rebuild the data)', () => {
    const next = random(11)
    for (const [k, m] of [
      [10, 4],
      [4, 2],
      [17, 13],
      [100, 156]
    ] as const) {
      const matrix = encodingMatrix(k, m)
      for (let i = 0; i < k; i++)
        assert.deepEqual(
          [...matrix[i]!],
          [...matrix[i]!].map((_, c) => (c === i ? 1 : 0))
        )
      for (let trial = 0; trial < (k > 50 ? 2 : 10); trial++) {
        const rows = pick(next, k + m, k).map((i) => matrix[i]!)
        const product = multiply(rows, invert(rows))
        for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) assert.equal(product[r]![c], r === c ? 1 : 0)
      }
    }
  })

  it('invert refuses a singular matrix', () => {
    assert.throws(() => invert([Uint8Array.of(1, 2), Uint8Array.of(2, 4)]), /singular/)
  })
})

describe('LruCache', () => {
  it('drops the least recently used entry past capacity', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    assert.equal(cache.get('a'), 1)
    cache.set('c', 3)
    assert.equal(cache.get('b'), undefined)
    assert.equal(cache.get('a'), 1)
    assert.equal(cache.get('c'), 3)
    assert.equal(cache.size, 2)
  })
})
