import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { concatBytes, fromHex, toHex, utf8 } from '../src/bytes.ts'
import {
  deriveSliceKey,
  generateFileKey,
  generateNonce,
  hkdfSha256,
  randomBytes,
  sliceAad
} from '../src/index.ts'
import { nodeLike } from './runtime.ts'

const range = (from: number, to: number): Uint8Array =>
  Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i)

// RFC 5869 appendix A, test cases 1-3 (SHA-256).
const hkdfVectors = [
  {
    name: 'case 1',
    ikm: new Uint8Array(22).fill(0x0b),
    salt: range(0x00, 0x0c),
    info: range(0xf0, 0xf9),
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'
  },
  {
    name: 'case 2 (long inputs)',
    ikm: range(0x00, 0x4f),
    salt: range(0x60, 0xaf),
    info: range(0xb0, 0xff),
    okm: 'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87'
  },
  {
    name: 'case 3 (empty salt and info)',
    ikm: new Uint8Array(22).fill(0x0b),
    salt: new Uint8Array(0),
    info: new Uint8Array(0),
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'
  }
]

const backends = [nodeLike ? 'node' : undefined, 'webcrypto', 'noble'].filter(
  (b): b is 'node' | 'webcrypto' | 'noble' => b !== undefined
)

describe('HKDF-SHA256', () => {
  for (const backend of backends) {
    for (const v of hkdfVectors) {
      it(`matches RFC 5869 ${v.name} on ${backend}`, async () => {
        const okm = await hkdfSha256(v.ikm, v.salt, v.info, v.okm.length / 2, backend)
        assert.equal(toHex(okm), v.okm)
      })
    }
  }

  it('rejects an output length outside 1..8160', async () => {
    await assert.rejects(hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 0), {
      name: 'RangeError',
      message: 'length must be an integer in 1..8160, got 0'
    })
  })
})

describe('slice keys', () => {
  it('is HKDF-SHA256 over the documented info layout', async () => {
    const fileKey = fromHex('00'.repeat(31) + '01')
    const fileId = range(1, 16)
    const info = concatBytes(
      utf8('defs/slice-key/v1'),
      Uint8Array.of(16),
      fileId,
      fromHex('00000005'),
      fromHex('0000000100000002')
    )
    const expected = await hkdfSha256(fileKey, new Uint8Array(0), info, 32, 'noble')
    assert.deepEqual(await deriveSliceKey(fileKey, fileId, 5, 2 ** 32 + 2), expected)
  })

  it('gives every (file key, file id, slice, version) its own key', async () => {
    const fileKey = generateFileKey()
    const fileId = randomBytes(16)
    const keys = [
      await deriveSliceKey(fileKey, fileId, 0, 1),
      await deriveSliceKey(fileKey, fileId, 1, 1),
      await deriveSliceKey(fileKey, fileId, 0, 2),
      await deriveSliceKey(fileKey, randomBytes(16), 0, 1),
      await deriveSliceKey(generateFileKey(), fileId, 0, 1)
    ]
    assert.equal(new Set(keys.map(toHex)).size, keys.length)
    assert.deepEqual(await deriveSliceKey(fileKey, fileId, 0, 1), keys[0])
    for (const key of keys) assert.equal(key.length, 32)
  })

  it('binds the AAD to file, slice and version under its own label', () => {
    const fileId = randomBytes(16)
    const aad = sliceAad(fileId, 7, 3)
    assert.deepEqual(aad.subarray(0, 17), utf8('defs/slice-aad/v1'))
    assert.equal(aad.length, 17 + 1 + 16 + 12)
    assert.notDeepEqual(aad, sliceAad(fileId, 7, 4))
    assert.notDeepEqual(aad, sliceAad(fileId, 8, 3))
  })

  it('draws 32-byte file keys and 12-byte nonces that do not repeat', () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => toHex(generateNonce())))
    assert.equal(nonces.size, 1000)
    assert.equal(generateFileKey().length, 32)
    assert.notDeepEqual(generateFileKey(), generateFileKey())
  })

  it('rejects wrong arguments with their name and value', async () => {
    const fileId = randomBytes(16)
    await assert.rejects(deriveSliceKey(randomBytes(16), fileId, 0, 0), {
      message: 'fileKey must be 32 bytes, got 16'
    })
    await assert.rejects(deriveSliceKey(generateFileKey(), fileId, -1, 0), {
      message: 'sliceIndex must be an integer in 0..4294967295, got -1'
    })
    await assert.rejects(deriveSliceKey(generateFileKey(), fileId, 0, 1.5), {
      message: 'version must be an integer in 0..9007199254740991, got 1.5'
    })
    await assert.rejects(deriveSliceKey(generateFileKey(), new Uint8Array(0), 0, 0), {
      message: 'fileId must be 1..255 bytes, got 0'
    })
  })
})
