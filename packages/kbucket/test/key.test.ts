import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  commonPrefixLength,
  compareDistance,
  InvalidKeyError,
  KEY_BITS,
  keyOf,
  seededRandom,
  xorDistance
} from '@defs/kbucket'
import { keyAtCpl, randomKey, toBigInt, xorBig } from './fixtures.ts'

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const bits = (b: Uint8Array): string => [...b].map((x) => x.toString(2).padStart(8, '0')).join('')

describe('keyOf', () => {
  it('is SHA-256 of the peer id bytes', async () => {
    const key = await keyOf(new TextEncoder().encode('abc'))
    assert.equal(hex(key), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('rejects what is not bytes', async () => {
    await assert.rejects(keyOf('abc' as unknown as Uint8Array), { name: 'TypeError' })
  })
})

describe('XOR metric laws (seeded, 400 triples)', () => {
  const random = seededRandom(7)
  const triples = Array.from(
    { length: 400 },
    () => [randomKey(random), randomKey(random), randomKey(random)] as const
  )

  it('d(a, a) = 0 and d(a, b) > 0 for a != b', () => {
    for (const [a, b] of triples) {
      assert.equal(toBigInt(xorDistance(a, a)), 0n)
      assert.ok(toBigInt(xorDistance(a, b)) > 0n)
    }
  })

  it('is symmetric and equals the XOR of the integers', () => {
    for (const [a, b] of triples) {
      assert.deepEqual(xorDistance(a, b), xorDistance(b, a))
      assert.equal(toBigInt(xorDistance(a, b)), xorBig(a, b))
    }
  })

  it('satisfies the triangle inequality', () => {
    for (const [a, b, c] of triples) assert.ok(xorBig(a, c) <= xorBig(a, b) + xorBig(b, c))
  })

  it('is unidirectional: exactly one key lies at a given distance', () => {
    for (const [a, b] of triples) {
      const delta = xorDistance(a, b)
      assert.deepEqual(xorDistance(a, delta), b)
    }
  })

  it('compareDistance orders like the integers and is antisymmetric', () => {
    for (const [a, b, t] of triples) {
      const expected = Math.sign(Number(xorBig(a, t) - xorBig(b, t)))
      assert.equal(Math.sign(compareDistance(a, b, t)), expected)
      assert.equal(Math.sign(compareDistance(b, a, t)), -expected)
      assert.equal(compareDistance(a, a, t), 0)
    }
  })

  it('commonPrefixLength counts the shared leading bits', () => {
    for (const [a, b] of triples) {
      const [x, y] = [bits(a), bits(b)]
      let shared = 0
      while (shared < x.length && x[shared] === y[shared]) shared++
      assert.equal(commonPrefixLength(a, b), shared)
    }
    assert.equal(commonPrefixLength(triples[0]![0], triples[0]![0]), KEY_BITS)
  })

  it('commonPrefixLength is ultrametric: cpl(a, c) >= min(cpl(a, b), cpl(b, c))', () => {
    for (const [a] of triples) {
      const b = keyAtCpl(a, Math.floor(random() * 256), random)
      const c = keyAtCpl(b, Math.floor(random() * 256), random)
      assert.ok(commonPrefixLength(a, c) >= Math.min(commonPrefixLength(a, b), commonPrefixLength(b, c)))
    }
  })

  it('keyAtCpl (the test helper) lands on the requested CPL', () => {
    const base = triples[1]![0]
    for (let cpl = 0; cpl < KEY_BITS; cpl++)
      assert.equal(commonPrefixLength(base, keyAtCpl(base, cpl, random)), cpl)
  })
})

describe('key checks', () => {
  it('throws InvalidKeyError naming the argument and the length', () => {
    const good = new Uint8Array(32)
    assert.throws(() => xorDistance(good, new Uint8Array(31)), {
      name: 'InvalidKeyError',
      message: 'b must be a 32-byte Uint8Array, got 31 bytes'
    })
    assert.throws(() => commonPrefixLength([] as unknown as Uint8Array, good), InvalidKeyError)
    assert.throws(() => compareDistance(good, good, new Uint8Array(33)), { name: 'InvalidKeyError' })
  })
})
