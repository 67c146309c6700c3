import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  generateFileKey,
  generateSigningKey,
  randomBytes,
  signatureAlgorithms,
  unwrapKeyWithKey,
  unwrapKeyWithPassphrase,
  unwrapKeyWithSigningKey,
  wrapKeyForRecipient,
  wrapKeyWithKey,
  wrapKeyWithPassphrase
} from '../src/index.ts'

// Small argon2id parameters keep the suite fast; the defaults (64 MiB, 3 passes) are for real use.
const cheap = { memoryKiB: 256, iterations: 1 }

describe('wrapping under a passphrase (argon2id)', () => {
  it('round-trips and refuses a wrong passphrase', async () => {
    const fileKey = generateFileKey()
    const blob = await wrapKeyWithPassphrase(fileKey, 'correct horse battery staple', cheap)
    assert.deepEqual(await unwrapKeyWithPassphrase(blob, 'correct horse battery staple'), fileKey)
    await assert.rejects(unwrapKeyWithPassphrase(blob, 'correct horse battery stapler'), {
      name: 'AuthenticationError',
      message: 'wrapped key does not open: wrong passphrase, or the blob was altered'
    })
  })

  it('stores its parameters in the blob, authenticated', async () => {
    const blob = await wrapKeyWithPassphrase(randomBytes(32), 'pw', cheap)
    assert.deepEqual([...blob.subarray(0, 13)], [0x44, 0x4b, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1])
    const weaker = blob.slice()
    weaker[6] = 0x80 // memory 256 KiB -> 128 KiB: still valid, but the header is the AAD
    await assert.rejects(unwrapKeyWithPassphrase(weaker, 'pw'), { name: 'AuthenticationError' })
  })

  it('refuses parameters that would cost more than the limits, before doing any work', async () => {
    const blob = await wrapKeyWithPassphrase(randomBytes(32), 'pw', cheap)
    const greedy = blob.slice()
    greedy[4] = 0xff // memory 4 GiB
    await assert.rejects(unwrapKeyWithPassphrase(greedy, 'pw'), {
      name: 'KdfParametersError',
      message: 'memoryKiB must be 8..1048576, got 4278190336'
    })
    await assert.rejects(wrapKeyWithPassphrase(randomBytes(32), 'pw', { iterations: 0 }), {
      name: 'KdfParametersError'
    })
  })

  it('reports a truncated, foreign or other-kind blob as malformed', async () => {
    const blob = await wrapKeyWithPassphrase(randomBytes(32), 'pw', cheap)
    await assert.rejects(unwrapKeyWithPassphrase(blob.subarray(0, 20), 'pw'), {
      name: 'MalformedWrappedKeyError',
      message: 'blob is truncated'
    })
    await assert.rejects(unwrapKeyWithPassphrase(randomBytes(60), 'pw'), { name: 'MalformedWrappedKeyError' })
    await assert.rejects(unwrapKeyWithKey(blob, randomBytes(32)), {
      name: 'MalformedWrappedKeyError',
      message: 'blob is wrapped by passphrase, not by key'
    })
  })
})

describe('wrapping under a 32-byte key', () => {
  it('round-trips, refuses another key and a flipped bit', async () => {
    const kek = randomBytes(32)
    const secret = randomBytes(48)
    const blob = await wrapKeyWithKey(secret, kek)
    assert.deepEqual(await unwrapKeyWithKey(blob, kek), secret)
    await assert.rejects(unwrapKeyWithKey(blob, randomBytes(32)), { name: 'AuthenticationError' })
    const flipped = blob.slice()
    flipped[flipped.length - 20]! ^= 1
    await assert.rejects(unwrapKeyWithKey(flipped, kek), { name: 'AuthenticationError' })
    assert.notDeepEqual(await wrapKeyWithKey(secret, kek), blob)
  })
})

describe('wrapping to a signing key (ephemeral ECDH)', () => {
  for (const algorithm of signatureAlgorithms) {
    it(`${algorithm}: only the recipient opens it`, async () => {
      const recipient = await generateSigningKey(algorithm)
      const stranger = await generateSigningKey(algorithm)
      const fileKey = generateFileKey()
      const blob = await wrapKeyForRecipient(fileKey, recipient.publicKey)
      assert.deepEqual(await unwrapKeyWithSigningKey(blob, recipient), fileKey)
      await assert.rejects(unwrapKeyWithSigningKey(blob, stranger), { name: 'AuthenticationError' })
      const other = algorithm === 'ed25519' ? 'p256' : 'ed25519'
      await assert.rejects(unwrapKeyWithSigningKey(blob, await generateSigningKey(other)), {
        name: 'InvalidKeyError'
      })
    })
  }

  it('refuses a recipient key that is not a point', async () => {
    await assert.rejects(
      wrapKeyForRecipient(randomBytes(32), { algorithm: 'p256', bytes: new Uint8Array(33) }),
      {
        name: 'InvalidKeyError'
      }
    )
  })
})
