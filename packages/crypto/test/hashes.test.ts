import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createCRC32 } from 'hash-wasm'
import { toHex, utf8 } from '../src/bytes.ts'
import {
  blake3,
  crc32c,
  createBlake3,
  createCrc32c,
  createSha256,
  randomBytes,
  sha256,
  sha256Sync
} from '../src/index.ts'

// First 32 bytes of the `hash` outputs of BLAKE3's official test_vectors.json; the input is the
// repeating sequence 0, 1, ..., 250.
const blake3Vectors: [number, string][] = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
  [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  [2049, '5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030'],
  [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
  [3073, '7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3'],
  [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
  [4097, '9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995'],
  [5121, '628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff'],
  [7169, 'a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817']
]
const blake3Input = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => i % 251)

/** Feed `data` to `update` in pieces of random length. */
function inPieces(data: Uint8Array, update: (piece: Uint8Array) => unknown): void {
  for (let at = 0; at < data.length; ) {
    const next = Math.min(data.length, at + 1 + Math.floor(Math.random() * 3000))
    update(data.subarray(at, next))
    at = next
  }
}

describe('SHA-256', () => {
  const vectors: [string, string][] = [
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    ]
  ]
  for (const [text, hash] of vectors) {
    it(`hashes ${JSON.stringify(text)} one-shot, synchronously and streaming`, async () => {
      assert.equal(toHex(await sha256(utf8(text))), hash)
      assert.equal(toHex(sha256Sync(utf8(text))), hash)
      const h = createSha256()
      inPieces(utf8(text), (piece) => h.update(piece))
      assert.equal(toHex(h.digest()), hash)
    })
  }

  it('agrees between one-shot, sync and streaming paths on random input', async () => {
    const data = randomBytes(100_003)
    const h = createSha256()
    inPieces(data, (piece) => h.update(piece))
    const streamed = h.digest()
    assert.deepEqual(await sha256(data), streamed)
    assert.deepEqual(sha256Sync(data), streamed)
    assert.equal(streamed.constructor, Uint8Array)
  })
})

describe('BLAKE3', () => {
  for (const [length, hash] of blake3Vectors) {
    it(`matches the official vector for ${length} bytes on wasm, noble and streaming`, async () => {
      const input = blake3Input(length)
      assert.equal(toHex(await blake3(input, 'wasm')), hash)
      assert.equal(toHex(await blake3(input, 'noble')), hash)
      for (const backend of ['wasm', 'noble'] as const) {
        const h = await createBlake3(backend)
        inPieces(input, (piece) => h.update(piece))
        assert.equal(toHex(h.digest()), hash)
      }
    })
  }

  it('agrees between wasm and noble on random input', async () => {
    for (const size of [31, 65536, 1_000_001]) {
      const data = randomBytes(size)
      assert.deepEqual(await blake3(data), await blake3(data, 'noble'))
    }
  })
})

/** Bit-at-a-time CRC32C, the definition the table-driven one must match. */
function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

describe('CRC32C', () => {
  it('matches the check value and the RFC 3720 (iSCSI) vectors', () => {
    assert.equal(crc32c(utf8('123456789')), 0xe3069283)
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa)
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43)
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e)
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c)
    assert.equal(crc32c(new Uint8Array(0)), 0)
  })

  it('matches the bitwise definition and hash-wasm at every alignment and length', async () => {
    const wasm = await createCRC32(0x82f63b78)
    const data = randomBytes(5000)
    for (const [offset, length] of [
      [0, 4096],
      [1, 63],
      [1, 64],
      [2, 1000],
      [3, 4001],
      [5, 17]
    ] as const) {
      const view = data.subarray(offset, offset + length)
      wasm.init()
      wasm.update(view)
      const expected = referenceCrc32c(view)
      assert.equal(crc32c(view), expected)
      assert.equal(toHex(wasm.digest('binary')), expected.toString(16).padStart(8, '0'))
    }
  })

  it('continues from a seed and streams', () => {
    const data = randomBytes(10_000)
    const whole = crc32c(data)
    assert.equal(crc32c(data.subarray(3000), crc32c(data.subarray(0, 3000))), whole)
    const h = createCrc32c()
    inPieces(data, (piece) => h.update(piece))
    assert.equal(h.value(), whole)
    assert.equal(toHex(h.digest()), whole.toString(16).padStart(8, '0'))
    assert.throws(() => crc32c(data, -1), {
      name: 'RangeError',
      message: 'seed must be an unsigned 32-bit integer, got -1'
    })
  })
})
