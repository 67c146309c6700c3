import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { toHex } from '../src/disk/hex.ts'
import { InvalidFileRefError } from '../src/errors.ts'
import { formatCapability, parseFileRef } from '../src/files/file-ref.ts'

describe('file refs', () => {
  it('round-trips a capability and parses a bare id', () => {
    const id = new Uint8Array(randomBytes(16))
    const key = new Uint8Array(randomBytes(32))
    const cap = formatCapability(id, key)
    assert.match(cap, /^defs:[0-9a-f]{32}:[0-9a-f]{64}$/)
    const parsed = parseFileRef(cap)
    assert.deepEqual(parsed.fileId, id)
    assert.deepEqual(parsed.fileKey, key)
    const bare = parseFileRef(toHex(id).toUpperCase())
    assert.equal(bare.fileIdHex, toHex(id))
    assert.equal(bare.fileKey, undefined)
  })

  it('refuses anything else without echoing a key', () => {
    for (const bad of ['', 'abc', `defs:${'a'.repeat(32)}:${'b'.repeat(63)}`, `${'g'.repeat(32)}`]) {
      assert.throws(() => parseFileRef(bad), InvalidFileRefError)
    }
    assert.throws(
      () => parseFileRef(`defs:${'a'.repeat(32)}:${'b'.repeat(60)}`),
      (err: Error) => !err.message.includes('bbbb')
    )
  })
})
