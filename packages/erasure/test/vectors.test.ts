// Known answers from the real klauspost/reedsolomon (test/vectors/generate.go): parity must be
// byte-for-byte identical on every backend.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { ReedSolomon } from '../src/index.ts'
import { encodingMatrix } from '../src/matrix.ts'
import { variants, xorshiftShards } from './helpers.ts'

const lines = readFileSync(new URL('./vectors/klauspost.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => l.split(' '))
const matrices = lines.filter((l) => l[0] === 'matrix')
const encodings = lines
  .filter((l) => l[0] === 'encode')
  .map(([, k, m, size, seed, sha256, hex]) => ({
    k: Number(k),
    m: Number(m),
    size: Number(size),
    seed: Number(seed),
    sha256: sha256!,
    hex
  }))

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('klauspost/reedsolomon vectors', () => {
  it('has a useful spread of shapes and sizes', () => {
    assert.ok(encodings.length >= 250, `only ${encodings.length} vectors`)
    assert.ok(encodings.some((v) => v.k + v.m === 256))
    assert.ok(encodings.some((v) => v.size % 16 !== 0 && v.size > 4096))
  })

  it('encoding matrices equal klauspost New(k, m)', () => {
    for (const [, k, m, rows] of matrices) {
      const matrix = encodingMatrix(Number(k), Number(m))
      assert.equal(hex(Buffer.concat(matrix.slice(Number(k)))), rows, `matrix ${k}+${m}`)
    }
  })

  for (const variant of variants) {
    it(`parity is byte-identical with ${variant.name}`, async () => {
      const coders = new Map<string, ReedSolomon>()
      for (const v of encodings) {
        const key = `${v.k}+${v.m}`
        let rs = coders.get(key)
        if (rs === undefined) {
          rs = await ReedSolomon.create({ dataShards: v.k, parityShards: v.m, ...variant.options })
          coders.set(key, rs)
        }
        const data = xorshiftShards(v.seed, v.k, v.size)
        // Odd sizes in place (allocShards) and as plain arrays alternate across the vectors.
        const inPlace = v.seed % 2 === 0
        const shards = inPlace ? rs.allocShards(v.size) : [...data, ...new Array(v.m).fill(null)]
        if (inPlace) for (let j = 0; j < v.k; j++) shards[j]!.set(data[j]!)
        rs.encode(shards)
        const parity = Buffer.concat(shards.slice(v.k) as Uint8Array[])
        const label = `${key} size ${v.size} seed ${v.seed}`
        assert.equal(createHash('sha256').update(parity).digest('hex'), v.sha256, label)
        if (v.hex !== undefined) assert.equal(hex(parity), v.hex, label)
      }
    })
  }
})
