// Bad arguments fail loudly with errors that name the argument; never a silent wrong answer.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  ReconstructRequiredError,
  ReedSolomon,
  type Shard,
  ShardSizeError,
  TooFewShardsError
} from '../src/index.ts'
import { variants } from './helpers.ts'

const named = (name: string, message: RegExp) => (err: unknown) =>
  err instanceof Error && err.name === name && message.test(err.message)

describe('argument errors', () => {
  it('rejects bad dataShards and parityShards with a RangeError naming them', async () => {
    const bad: [number, number, RegExp][] = [
      [0, 4, /dataShards must be an integer 1\.\.255, got 0/],
      [300, 4, /dataShards must be an integer 1\.\.255, got 300/],
      [1.5, 4, /dataShards .* got 1\.5/],
      [10, 0, /parityShards must be an integer 1\.\.255, got 0/],
      [200, 57, /dataShards \+ parityShards must be at most 256, got 257/]
    ]
    for (const [k, m, message] of bad) {
      await assert.rejects(
        ReedSolomon.create({ dataShards: k, parityShards: m }),
        named('RangeError', message)
      )
      assert.throws(
        () => ReedSolomon.createSync({ dataShards: k, parityShards: m }),
        named('RangeError', message)
      )
    }
    const rs = await ReedSolomon.create({ dataShards: 200, parityShards: 56 })
    assert.equal(rs.totalShards, 256)
  })

  it('rejects an unknown backend', async () => {
    const options = { dataShards: 2, parityShards: 1, backend: 'gpu' as 'ts' }
    await assert.rejects(ReedSolomon.create(options), named('RangeError', /backend must be/))
  })

  for (const variant of variants) {
    describe(variant.name, () => {
      const make = () => ReedSolomon.create({ dataShards: 10, parityShards: 4, ...variant.options })
      const full = () => Array.from({ length: 14 }, () => new Uint8Array(32))

      it('TooFewShardsError says how many it has and needs', async () => {
        const rs = await make()
        const shards: Shard[] = full()
        for (let i = 0; i < 6; i++) shards[i] = null
        assert.throws(() => rs.reconstruct(shards), new TooFewShardsError('have 8 shards, need 10'))
        assert.throws(() => rs.reconstructData(shards), named('TooFewShardsError', /have 8 shards, need 10/))
        assert.throws(() => rs.encode(shards), named('TooFewShardsError', /have 4 data shards, need 10/))
        assert.throws(() => rs.verify(shards), named('TooFewShardsError', /have 8 shards, need 14/))
        assert.throws(() => rs.reconstruct(new Array(14).fill(new Uint8Array(0))), TooFewShardsError)
      })

      it('ShardSizeError for unequal or empty shards', async () => {
        const rs = await make()
        const unequal = full()
        unequal[3] = new Uint8Array(31)
        for (const op of ['encode', 'verify', 'reconstruct'] as const) {
          assert.throws(() => rs[op](unequal), named('ShardSizeError', /shards\[3\] has 31/))
        }
        assert.throws(() => rs.encode(Array.from({ length: 14 }, () => new Uint8Array(0))), ShardSizeError)
        assert.throws(() => rs.verify(Array.from({ length: 14 }, () => new Uint8Array(0))), ShardSizeError)
      })

      it('rejects a wrong number of shard slots and non-bytes', async () => {
        const rs = await make()
        assert.throws(
          () => rs.encode(full().slice(1)),
          named('RangeError', /shards must have 14 entries, got 13/)
        )
        assert.throws(() => rs.reconstruct([...full(), null]), RangeError)
        const wrong = full() as unknown[]
        wrong[2] = [1, 2, 3]
        assert.throws(
          () => rs.encode(wrong as Shard[]),
          named('TypeError', /shards\[2\] must be a Uint8Array/)
        )
      })

      it('join needs the data shards and enough bytes; split needs data', async () => {
        const rs = await make()
        const shards: Shard[] = full()
        assert.equal(rs.join(shards, 320).length, 320)
        assert.throws(
          () => rs.join(shards, 321),
          named('RangeError', /size must be an integer 0\.\.320, got 321/)
        )
        shards[4] = null
        assert.throws(() => rs.join(shards, 10), ReconstructRequiredError)
        assert.throws(() => rs.split(new Uint8Array(0)), named('RangeError', /data must not be empty/))
        assert.throws(() => rs.allocShards(0), named('RangeError', /shardSize must be an integer/))
      })
    })
  }
})
