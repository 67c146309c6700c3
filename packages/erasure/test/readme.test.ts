// The README's first ten lines, as a user writes them.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReedSolomon } from '../src/index.ts'

describe('README example', () => {
  it('splits, encodes, loses three shards, reconstructs and joins', async () => {
    const rs = await ReedSolomon.create({ dataShards: 10, parityShards: 4 })
    const data = new TextEncoder().encode('any bytes: a slice of ciphertext')
    const shards = rs.split(data)
    rs.encode(shards)
    const received = [...shards] as (Uint8Array | null)[]
    received[0] = null
    received[7] = null
    received[12] = null
    rs.reconstruct(received)
    assert.equal(new TextDecoder().decode(rs.join(received, data.length)), 'any bytes: a slice of ciphertext')
    assert.equal(rs.verify(received), true)
  })
})
