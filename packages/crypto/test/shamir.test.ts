import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { toHex } from '../src/bytes.ts'
import { gfInv, gfMul } from '../src/gf256.ts'
import { combineShares, randomBytes, type Share, splitSecret, verifyShare } from '../src/index.ts'

/** Carry-less multiply then reduce mod 0x11B: the textbook definition the constant-time one must match. */
function referenceMul(a: number, b: number): number {
  let product = 0
  for (let i = 0; i < 8; i++) if ((b >> i) & 1) product ^= a << i
  for (let bit = 14; bit >= 8; bit--) if ((product >> bit) & 1) product ^= 0x11b << (bit - 8)
  return product
}

/** Every subset of `items` with exactly `size` members. */
function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]]
  if (items.length < size) return []
  const [first, ...rest] = items
  return [...subsets(rest, size - 1).map((s) => [first!, ...s]), ...subsets(rest, size)]
}

describe('GF(2^8) mod 0x11B', () => {
  it('multiplies like the textbook definition and inverts every nonzero element', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) assert.equal(gfMul(a, b), referenceMul(a, b))
      if (a !== 0) assert.equal(gfMul(a, gfInv(a)), 1)
    }
    assert.equal(gfMul(0x57, 0x83), 0xc1) // FIPS 197 section 4.2
  })
})

describe('Shamir sharing with a commitment', () => {
  it('recovers a 32-byte secret from every subset of threshold shares', async () => {
    const secret = randomBytes(32)
    const { shares, commitment } = await splitSecret(secret, { threshold: 3, shares: 5 })
    assert.deepEqual(
      shares.map((s) => s.index),
      [1, 2, 3, 4, 5]
    )
    for (const subset of subsets(shares, 3)) assert.deepEqual(await combineShares(subset, commitment), secret)
    assert.deepEqual(await combineShares(shares, commitment), secret)
  })

  it('works for random shapes, including 1-of-n and n-of-n', async () => {
    for (const [threshold, count] of [
      [1, 1],
      [1, 4],
      [2, 2],
      [4, 7],
      [10, 10],
      [16, 255]
    ] as const) {
      const secret = randomBytes(1 + Math.floor(Math.random() * 64))
      const { shares, commitment } = await splitSecret(secret, { threshold, shares: count })
      const picked = [...shares].sort(() => Math.random() - 0.5).slice(0, threshold)
      assert.deepEqual(await combineShares(picked, commitment), secret, `${threshold}-of-${count}`)
    }
  })

  it('leaves no single share equal to the secret and no two splits alike', async () => {
    const secret = randomBytes(32)
    const a = await splitSecret(secret, { threshold: 2, shares: 3 })
    const b = await splitSecret(secret, { threshold: 2, shares: 3 })
    for (const share of a.shares) assert.notDeepEqual(share.bytes, secret)
    assert.notDeepEqual(a.shares[0]!.bytes, b.shares[0]!.bytes)
    assert.notDeepEqual(a.commitment.salt, b.commitment.salt)
  })

  it('names a tampered share instead of yielding a wrong key', async () => {
    const { shares, commitment } = await splitSecret(randomBytes(32), { threshold: 3, shares: 5 })
    const bad: Share = { index: 3, bytes: shares[2]!.bytes.slice() }
    bad.bytes[7]! ^= 0x01
    assert.equal(await verifyShare(bad, commitment), false)
    assert.equal(await verifyShare(shares[2]!, commitment), true)
    await assert.rejects(combineShares([shares[0]!, bad, shares[4]!], commitment), {
      name: 'ShareCommitmentError',
      message: 'share 3 does not match the commitment'
    })
    // A valid share presented under another index is wrong too.
    await assert.rejects(
      combineShares([shares[0]!, { index: 4, bytes: shares[1]!.bytes }, shares[2]!], commitment),
      {
        name: 'ShareCommitmentError',
        message: 'share 4 does not match the commitment'
      }
    )
  })

  it('refuses a share of another split of the same secret', async () => {
    const secret = randomBytes(32)
    const a = await splitSecret(secret, { threshold: 2, shares: 3 })
    const b = await splitSecret(secret, { threshold: 2, shares: 3 })
    await assert.rejects(combineShares([a.shares[0]!, b.shares[1]!], a.commitment), {
      name: 'ShareCommitmentError',
      message: 'share 2 does not match the commitment'
    })
  })

  it('says when shares are missing or repeated', async () => {
    const { shares, commitment } = await splitSecret(randomBytes(32), { threshold: 3, shares: 5 })
    await assert.rejects(combineShares(shares.slice(0, 2), commitment), {
      name: 'NotEnoughSharesError',
      message: 'need 3 shares, got 2'
    })
    await assert.rejects(combineShares([shares[0]!, shares[1]!, shares[0]!], commitment), {
      name: 'DuplicateShareError',
      message: 'share 1 was given twice'
    })
  })

  it('checks its arguments and the shape of a commitment', async () => {
    await assert.rejects(splitSecret(randomBytes(32), { threshold: 0, shares: 3 }), {
      message: 'threshold must be 1..255, got 0'
    })
    await assert.rejects(splitSecret(randomBytes(32), { threshold: 4, shares: 3 }), {
      message: 'shares must be 4..255 (at least threshold), got 3'
    })
    await assert.rejects(splitSecret(new Uint8Array(0), { threshold: 2, shares: 3 }), {
      message: 'secret must be 1..4096 bytes, got 0'
    })
    const { shares, commitment } = await splitSecret(randomBytes(32), { threshold: 2, shares: 3 })
    await assert.rejects(combineShares(shares, { ...commitment, salt: new Uint8Array(3) }), {
      message: 'commitment.salt must be 32 bytes, got 3'
    })
    await assert.rejects(combineShares(shares, { ...commitment, shareHashes: [] }), { name: 'RangeError' })
    assert.equal(toHex(await combineShares(shares.slice(1), commitment)).length, 64)
  })
})
