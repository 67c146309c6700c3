import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromHex, toHex } from '../src/bytes.ts'
import { type Aead, aeadBackends, BackendUnavailableError, createAead, randomBytes } from '../src/index.ts'
import { nodeLike } from './runtime.ts'

// AES-256 cases 13-16 of the GCM specification (McGrew and Viega), as used by NIST's GCM validation.
const k15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308'
const p15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255'
const c15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad'
const gcmVectors = [
  {
    name: 'case 13',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '',
    aad: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b'
  },
  {
    name: 'case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919'
  },
  {
    name: 'case 15',
    key: k15,
    iv: 'cafebabefacedbaddecaf888',
    pt: p15,
    aad: '',
    ct: c15,
    tag: 'b094dac5d93471bdec1a502270e3cc6c'
  },
  {
    name: 'case 16 (with AAD)',
    key: k15,
    iv: 'cafebabefacedbaddecaf888',
    pt: p15.slice(0, 120),
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: c15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b'
  }
]

const aeads: Aead[] = await Promise.all(aeadBackends().map((backend) => createAead({ backend })))

async function rejects(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: Error) => error.name === 'AuthenticationError')
}

for (const aead of aeads) {
  describe(`AES-256-GCM on ${aead.backend}`, () => {
    for (const v of gcmVectors) {
      it(`matches GCM spec ${v.name}`, async () => {
        const aad = v.aad === '' ? undefined : fromHex(v.aad)
        const sealed = await aead.encrypt(fromHex(v.key), fromHex(v.iv), fromHex(v.pt), aad)
        assert.equal(toHex(sealed), v.ct + v.tag)
        const opened = await aead.decrypt(fromHex(v.key), fromHex(v.iv), sealed, aad)
        assert.equal(toHex(opened), v.pt)
      })
    }

    it('rejects a flipped bit in the ciphertext, tag, aad, nonce or key', async () => {
      const key = randomBytes(32)
      const nonce = randomBytes(12)
      const aad = randomBytes(20)
      const sealed = await aead.encrypt(key, nonce, randomBytes(1000), aad)
      const flip = (bytes: Uint8Array, at: number): Uint8Array => {
        const copy = bytes.slice()
        copy[at]! ^= 0x01
        return copy
      }
      await rejects(aead.decrypt(key, nonce, flip(sealed, 17), aad))
      await rejects(aead.decrypt(key, nonce, flip(sealed, sealed.length - 1), aad))
      await rejects(aead.decrypt(key, nonce, sealed, flip(aad, 0)))
      await rejects(aead.decrypt(key, nonce, sealed))
      await rejects(aead.decrypt(key, flip(nonce, 11), sealed, aad))
      await rejects(aead.decrypt(flip(key, 31), nonce, sealed, aad))
      await rejects(aead.decrypt(key, nonce, sealed.subarray(0, sealed.length - 1), aad))
      await rejects(aead.decrypt(key, nonce, sealed.subarray(0, 15), aad))
    })

    it('writes into a caller buffer and leaves it untouched when authentication fails', async () => {
      const key = randomBytes(32)
      const nonce = randomBytes(12)
      const plaintext = randomBytes(4096)
      const arena = new Uint8Array(8192)
      const sealed = await aead.encrypt(key, nonce, plaintext, undefined, arena.subarray(100))
      assert.equal(sealed.buffer, arena.buffer)
      assert.equal(sealed.byteOffset, 100)
      assert.equal(sealed.length, 4096 + 16)
      assert.deepEqual(sealed, await aead.encrypt(key, nonce, plaintext))

      const into = new Uint8Array(5000)
      const opened = await aead.decrypt(key, nonce, sealed, undefined, into)
      assert.equal(opened.buffer, into.buffer)
      assert.deepEqual(opened, plaintext)

      const untouched = new Uint8Array(4096)
      const damaged = sealed.slice()
      damaged[0]! ^= 0x80
      await rejects(aead.decrypt(key, nonce, damaged, undefined, untouched))
      assert.ok(untouched.every((b) => b === 0))
    })

    it('names the argument and the value when one is wrong', async () => {
      const key = randomBytes(32)
      const nonce = randomBytes(12)
      await assert.rejects(aead.encrypt(randomBytes(16), nonce, new Uint8Array(1)), {
        name: 'RangeError',
        message: 'key must be 32 bytes, got 16'
      })
      await assert.rejects(aead.encrypt(key, randomBytes(16), new Uint8Array(1)), {
        message: 'nonce must be 12 bytes, got 16'
      })
      await assert.rejects(aead.encrypt(key, nonce, new Uint8Array(10), undefined, new Uint8Array(25)), {
        message: 'out must be at least 26 bytes, got 25'
      })
      await assert.rejects(aead.encrypt(key, nonce, 'text' as unknown as Uint8Array), {
        name: 'TypeError',
        message: 'plaintext must be a Uint8Array, got string'
      })
    })
  })
}

describe('AES-256-GCM across backends', () => {
  it('gives identical ciphertexts on random input and each backend opens the others', async () => {
    for (const size of [0, 1, 15, 16, 17, 1000, 65536 + 3]) {
      const key = randomBytes(32)
      const nonce = randomBytes(12)
      const plaintext = randomBytes(size)
      const aad = size % 2 === 0 ? randomBytes(size % 50) : undefined
      const sealed = await Promise.all(aeads.map((a) => a.encrypt(key, nonce, plaintext, aad)))
      for (const s of sealed) assert.deepEqual(s, sealed[0])
      for (const a of aeads) assert.deepEqual(await a.decrypt(key, nonce, sealed[0]!, aad), plaintext)
    }
  })

  it('takes node:crypto on Node and Bun, WebCrypto on Deno and in browsers, by default', async () => {
    const webOnly = !nodeLike
    const auto = await createAead()
    assert.equal(auto.backend, webOnly ? 'webcrypto' : 'node')
    assert.deepEqual(aeadBackends(), webOnly ? ['webcrypto', 'noble'] : ['node', 'webcrypto', 'noble'])
    if (webOnly) await assert.rejects(createAead({ backend: 'node' }), BackendUnavailableError)
  })
})
