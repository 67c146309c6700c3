import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, randomBytes, toHex } from '@defs/crypto'
import { formatCapability, InvalidFileRefError, parseFileRef } from '@defs/segment'

describe('file refs', () => {
  it('round-trips a capability, owner included, and parses a bare id', async () => {
    const id = randomBytes(16)
    const key = randomBytes(32)
    const owner = (await generateSigningKey('ed25519')).publicKey
    const cap = formatCapability(id, key, owner)
    assert.match(cap, /^defs:[0-9a-f]{32}:[0-9a-f]{64}:ed01[0-9a-f]{64}$/)
    const parsed = parseFileRef(cap)
    assert.deepEqual(parsed.fileId, id)
    assert.deepEqual(parsed.fileKey, key)
    assert.deepEqual(parsed.owner, owner)
    const p256 = (await generateSigningKey('p256')).publicKey
    assert.deepEqual(parseFileRef(formatCapability(id, key, p256)).owner, p256)
    const bare = parseFileRef(toHex(id).toUpperCase())
    assert.equal(bare.fileIdHex, toHex(id))
    assert.equal(bare.fileKey, undefined)
    assert.equal(bare.owner, undefined)
    // The form before owners: a key, no owner.
    assert.equal(parseFileRef(`defs:${toHex(id)}:${toHex(key)}`).owner, undefined)
  })

  it('refuses anything else without echoing a key', () => {
    for (const bad of [
      '',
      'abc',
      `defs:${'a'.repeat(32)}:${'b'.repeat(63)}`,
      `${'g'.repeat(32)}`,
      `defs:${'a'.repeat(32)}:${'b'.repeat(64)}:ffff${'c'.repeat(64)}`
    ]) {
      assert.throws(() => parseFileRef(bad), InvalidFileRefError, bad)
    }
    assert.throws(
      () => parseFileRef(`defs:${'a'.repeat(32)}:${'b'.repeat(60)}`),
      (err: Error) => !err.message.includes('bbbb')
    )
  })
})
