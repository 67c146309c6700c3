import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeManifest, encodeManifest, type Manifest } from '@defs/segment'
import { fromHex, toHex } from './helpers/bytes.ts'
import { codecs } from './helpers/codecs.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('roundtrip')
const RUNS = 200

describe('round trips on random valid values', () => {
  for (const c of codecs) {
    it(`${c.name}: decode(encode(v)) equals v, and encode(decode(b)) is b again`, () => {
      for (let i = 0; i < RUNS; i++) {
        const value = c.generate(r)
        const bytes = c.encode(value)
        const back = c.decode(bytes)
        assert.deepEqual(back, value)
        assert.deepEqual(c.encode(back), bytes)
      }
    })
  }
})

describe('canonical encoding stability', () => {
  // A fixed manifest must keep these exact bytes across releases: signatures are over them.
  const fixed: Manifest = {
    fileId: Uint8Array.from({ length: 16 }, (_, i) => i),
    seq: 7,
    owner: { algorithm: 'ed25519', bytes: new Uint8Array(32).fill(0xaa) },
    mode: 'rs-proportion',
    dataShards: 2,
    parityShards: 1,
    size: 100,
    sliceSize: 64,
    slices: [
      { plainLength: 64, cipherLength: 80, nonce: new Uint8Array(12).fill(1), shards: ids(3, 0x10) },
      { plainLength: 36, cipherLength: 52, nonce: new Uint8Array(12).fill(2), shards: ids(3, 0x20) }
    ],
    meta: Uint8Array.of(0xde, 0xad),
    created: 1_700_000_000_000
  }

  it('encodes a known manifest to known bytes', () => {
    const expected = [
      'ac00010150000102030405060708090a0b0c0d0e0f020703a2016765643235353139025820aaaaaaaaaaaaaaaaaaaaaa',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa046d72732d70726f706f7274696f6e050206010718640818400a82',
      'a4011840021850034c010101010101010101010101048358201010101010101010101010101010101010101010101010',
      '101010101010101010582011111111111111111111111111111111111111111111111111111111111111115820121212',
      '1212121212121212121212121212121212121212121212121212121212a4011824021834034c02020202020202020202',
      '020204835820202020202020202020202020202020202020202020202020202020202020202058202121212121212121',
      '212121212121212121212121212121212121212121212121582022222222222222222222222222222222222222222222',
      '222222222222222222220b42dead0c1b0000018bcfe56800'
    ].join('')
    assert.equal(toHex(encodeManifest(fixed)), expected)
    assert.deepEqual(decodeManifest(fromHex(expected)), fixed)
  })

  it('orders map keys numerically whatever the property order of the value', () => {
    const shuffled = Object.fromEntries(Object.entries(fixed).reverse()) as unknown as Manifest
    assert.deepEqual(encodeManifest(shuffled), encodeManifest(fixed))
    assert.deepEqual(decodeManifest(encodeManifest(shuffled)), fixed)
  })
})

function ids(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => new Uint8Array(32).fill(seed + i))
}
