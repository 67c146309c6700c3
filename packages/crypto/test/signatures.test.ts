import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { concatBytes, fromHex, toHex, utf8 } from '../src/bytes.ts'
import {
  decodePublicKey,
  encodePublicKey,
  generateSigningKey,
  importSigningKey,
  type PublicKey,
  publicKeyId,
  randomBytes,
  type SignatureAlgorithm,
  type SignatureBackend,
  sha256,
  signatureAlgorithms,
  signatureBackends,
  verifySignature
} from '../src/index.ts'
import { nodeLike } from './runtime.ts'

// RFC 8032 section 7.1, tests 1-3.
const ed25519Vectors = [
  {
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  },
  {
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  },
  {
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'
  }
]

const backendsOf = async (algorithm: SignatureAlgorithm): Promise<SignatureBackend[]> =>
  (await signatureBackends(algorithm)) as SignatureBackend[]

// Found before the suites: Deno's node:test shim wants describe callbacks synchronous.
const ed25519Backends = await backendsOf('ed25519')
const p256Backends = await backendsOf('p256')

describe('Ed25519', () => {
  const backends = ed25519Backends

  it('has node:crypto on Node and Bun, WebCrypto everywhere, noble as fallback', () => {
    assert.deepEqual(backends, nodeLike ? ['node', 'webcrypto', 'noble'] : ['webcrypto', 'noble'])
  })

  for (const backend of backends) {
    it(`matches RFC 8032 tests 1-3 on ${backend}`, async () => {
      for (const v of ed25519Vectors) {
        const key = await importSigningKey('ed25519', fromHex(v.secret), { backend })
        assert.equal(toHex(key.publicKey.bytes), v.publicKey)
        assert.equal(toHex(await key.sign(fromHex(v.message))), v.signature)
        assert.equal(
          await verifySignature(key.publicKey, fromHex(v.message), fromHex(v.signature), { backend }),
          true
        )
      }
    })
  }

  it('gives byte-identical signatures on every backend, each verifying the others', async () => {
    for (let round = 0; round < 5; round++) {
      const secret = randomBytes(32)
      const message = randomBytes(round * 300)
      const keys = await Promise.all(
        backends.map((backend) => importSigningKey('ed25519', secret, { backend }))
      )
      const signatures = await Promise.all(keys.map((k) => k.sign(message)))
      for (const s of signatures) assert.deepEqual(s, signatures[0])
      for (const k of keys) assert.deepEqual(k.publicKey.bytes, keys[0]!.publicKey.bytes)
      for (const backend of backends) {
        assert.equal(await verifySignature(keys[0]!.publicKey, message, signatures[0]!, { backend }), true)
      }
    }
  })
})

describe('ECDSA P-256', () => {
  const backends = p256Backends
  // RFC 6979 appendix A.2.5, SHA-256, message "sample".
  const secret = fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721')
  const r = 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716'
  const s = 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8'
  const publicX = '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6'

  it('derives the RFC 6979 public key and accepts its signature (high S) on every backend', async () => {
    for (const backend of backends) {
      const key = await importSigningKey('p256', secret, { backend })
      assert.equal(toHex(key.publicKey.bytes), `03${publicX}`)
      assert.equal(await verifySignature(key.publicKey, utf8('sample'), fromHex(r + s), { backend }), true)
      assert.equal(await verifySignature(key.publicKey, utf8('samplf'), fromHex(r + s), { backend }), false)
    }
  })

  it('signs deterministically with low S on noble (RFC 6979 r)', async () => {
    const key = await importSigningKey('p256', secret, { backend: 'noble' })
    const signature = await key.sign(utf8('sample'))
    assert.equal(toHex(signature.subarray(0, 32)), r)
    const lowS = (p256.Point.CURVE().n - BigInt(`0x${s}`)).toString(16).padStart(64, '0')
    assert.equal(toHex(signature.subarray(32)), lowS)
  })

  it('verifies across backends on random input', async () => {
    const key = await generateSigningKey('p256')
    const message = randomBytes(777)
    for (const signer of backends) {
      const signature = await (await importSigningKey('p256', key.exportPrivate(), { backend: signer })).sign(
        message
      )
      for (const backend of backends) {
        assert.equal(
          await verifySignature(key.publicKey, message, signature, { backend }),
          true,
          `${signer}->${backend}`
        )
      }
    }
  })
})

describe('ECDSA secp256k1', () => {
  it('signs and verifies, and refuses the malleated high-S twin', async () => {
    const key = await generateSigningKey('secp256k1')
    const message = randomBytes(100)
    const signature = await key.sign(message)
    assert.equal(await verifySignature(key.publicKey, message, signature), true)
    assert.deepEqual(key.publicKey.bytes, secp256k1.getPublicKey(key.exportPrivate(), true))
    const n = secp256k1.Point.CURVE().n
    const highS = (n - BigInt(`0x${toHex(signature.subarray(32))}`)).toString(16).padStart(64, '0')
    const twin = concatBytes(signature.subarray(0, 32), fromHex(highS))
    assert.equal(await verifySignature(key.publicKey, message, twin), false)
  })

  it('rejects a private key outside 1..n-1', async () => {
    await assert.rejects(importSigningKey('secp256k1', new Uint8Array(32)), { name: 'InvalidKeyError' })
    await assert.rejects(importSigningKey('p256', new Uint8Array(32).fill(0xff)), { name: 'InvalidKeyError' })
  })
})

describe('signature checks of untrusted input', () => {
  for (const algorithm of signatureAlgorithms) {
    it(`${algorithm}: answers false, never throws, for anything wrong`, async () => {
      const key = await generateSigningKey(algorithm)
      const other = await generateSigningKey(algorithm)
      const message = utf8('canonical bytes')
      const signature = await key.sign(message)
      assert.equal(key.algorithm, algorithm)
      assert.equal(signature.length, 64)
      assert.equal(await verifySignature(key.publicKey, message, signature), true)
      const flipped = signature.slice()
      flipped[10]! ^= 1
      const cases: [PublicKey, Uint8Array, Uint8Array][] = [
        [key.publicKey, message, flipped],
        [key.publicKey, utf8('canonical bytez'), signature],
        [other.publicKey, message, signature],
        [key.publicKey, message, signature.subarray(0, 63)],
        [key.publicKey, message, new Uint8Array(64)],
        [{ algorithm, bytes: key.publicKey.bytes.subarray(1) }, message, signature],
        [{ algorithm, bytes: new Uint8Array(key.publicKey.bytes.length).fill(0xff) }, message, signature]
      ]
      for (const backend of await backendsOf(algorithm)) {
        for (const [publicKey, m, s] of cases)
          assert.equal(await verifySignature(publicKey, m, s, { backend }), false)
      }
    })

    it(`${algorithm}: exports and re-imports the same 32-byte private key`, async () => {
      const key = await generateSigningKey(algorithm)
      const exported = key.exportPrivate()
      assert.equal(exported.length, 32)
      const again = await importSigningKey(algorithm, exported)
      assert.deepEqual(again.publicKey, key.publicKey)
      exported.fill(0) // the key keeps its own copy
      assert.equal(await verifySignature(key.publicKey, message(), await key.sign(message())), true)
    })
  }

  it('throws only for an unknown algorithm', async () => {
    const bogus = { algorithm: 'rsa', bytes: new Uint8Array(32) } as unknown as PublicKey
    await assert.rejects(verifySignature(bogus, new Uint8Array(1), new Uint8Array(64)), {
      name: 'UnsupportedAlgorithmError',
      message: 'algorithm must be one of ed25519, secp256k1, p256, got rsa'
    })
    await assert.rejects(importSigningKey('ed25519', new Uint8Array(31)), {
      name: 'RangeError',
      message: 'privateKey must be 32 bytes, got 31'
    })
  })
})

function message(): Uint8Array {
  return utf8('persisted key still signs')
}

describe('public key ids', () => {
  it('is SHA-256 over the multicodec-tagged key, distinct per algorithm', async () => {
    const bytes = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
    const id = await publicKeyId({ algorithm: 'ed25519', bytes })
    assert.deepEqual(id, await sha256(concatBytes(Uint8Array.of(0xed, 0x01), bytes)))
    assert.equal(id.length, 32)
    const keys = await Promise.all(signatureAlgorithms.map((a) => generateSigningKey(a)))
    const ids = await Promise.all(keys.map((k) => publicKeyId(k.publicKey)))
    assert.equal(new Set(ids.map(toHex)).size, 3)
  })

  it('round-trips the multikey encoding and rejects an unknown prefix', async () => {
    for (const algorithm of signatureAlgorithms) {
      const { publicKey } = await generateSigningKey(algorithm)
      assert.deepEqual(decodePublicKey(encodePublicKey(publicKey)), publicKey)
    }
    assert.throws(() => decodePublicKey(fromHex('0000')), { name: 'UnsupportedAlgorithmError' })
    assert.throws(() => decodePublicKey(fromHex('ed0100')), { name: 'RangeError' })
  })
})
