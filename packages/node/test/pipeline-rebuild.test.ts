// The keyless rebuild (repair's step): missing ciphertext shards from any k others, checked by id,
// against klauspost/reedsolomon's parity and against slices sealed by the upload path.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { sha256Sync } from '@defs/crypto'
import { TooFewShardsError } from '@defs/erasure'
import { xorshiftShards } from '../../erasure/test/helpers.ts'
import {
  openSlice,
  rebuildSlice,
  type SealParams,
  ShardIdMismatchError,
  SlicePool,
  sealSlice
} from '../src/pipeline/index.ts'
import { fileContext, lose, pick, random, randomBytes } from './pipeline-fixtures.ts'

const vectors = readFileSync(new URL('../../erasure/test/vectors/klauspost.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('encode ') && l.split(' ').length === 7)
  .map((l) => {
    const [, k, m, size, seed, , parity] = l.split(' ')
    return { k: Number(k), m: Number(m), size: Number(size), seed: Number(seed), parity: parity! }
  })
  .filter((v) => v.k + v.m <= 32)

const pool = new SlicePool({ workers: 1 })
after(() => pool.close())

function fromHexString(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16))
}

describe('rebuildSlice', () => {
  it('rebuilds the shards klauspost/reedsolomon would have, from any k', () => {
    assert.ok(vectors.length >= 20, `only ${vectors.length} short vectors`)
    const rng = random(7)
    for (const v of vectors) {
      const parityBytes = fromHexString(v.parity)
      const parity = Array.from({ length: v.m }, (_, j) => parityBytes.subarray(j * v.size, (j + 1) * v.size))
      const all = [...xorshiftShards(v.seed, v.k, v.size), ...parity]
      const ids = all.map((s) => sha256Sync(s))
      const lost = pick(rng, v.k + v.m, 1 + Math.floor(rng() * v.m))
      const rebuilt = rebuildSlice(lose(all, lost), {
        dataShards: v.k,
        parityShards: v.m,
        shardSize: v.size,
        ids
      })
      const label = `${v.k}+${v.m} size ${v.size}, lost ${lost.join(',')}`
      assert.deepEqual(
        rebuilt.shards.map((s) => s.index),
        [...lost].sort((a, b) => a - b),
        label
      )
      for (const s of rebuilt.shards) {
        assert.deepEqual(s.bytes, all[s.index], label)
        assert.deepEqual(s.id, ids[s.index], label)
      }
      assert.deepEqual(rebuilt.corrupt, [], label)
    }
  })

  it('leaves out and names a given shard that does not match its id', () => {
    const all = [...xorshiftShards(3, 4, 100), ...xorshiftShards(4, 2, 100)]
    // Parity from the coder itself: rebuild the two parity shards from the data first.
    const first = rebuildSlice(lose(all, [4, 5]), { dataShards: 4, parityShards: 2, shardSize: 100 })
    const shards = [...all.slice(0, 4), ...first.shards.map((s) => s.bytes)]
    const ids = shards.map((s) => sha256Sync(s))
    const given = lose(shards, [0]).map((s, i) =>
      i === 2 ? Uint8Array.from(s!, (b, j) => (j === 9 ? b ^ 1 : b)) : s
    )
    const rebuilt = rebuildSlice(given, { dataShards: 4, parityShards: 2, shardSize: 100, ids, want: [0, 2] })
    assert.deepEqual(rebuilt.corrupt, [2])
    assert.deepEqual(
      rebuilt.shards.map((s) => [s.index, s.bytes]),
      [
        [0, shards[0]],
        [2, shards[2]]
      ]
    )
    const tooMany = lose(given, [1])
    assert.throws(
      () => rebuildSlice(tooMany, { dataShards: 4, parityShards: 2, shardSize: 100, ids }),
      (err: Error) => err instanceof ShardIdMismatchError && err.corrupt.includes(2)
    )
  })

  it('refuses with fewer than k shards and checks its arguments', () => {
    const all = xorshiftShards(5, 6, 64)
    assert.throws(
      () => rebuildSlice(lose(all, [0, 1, 2, 3]), { dataShards: 3, parityShards: 3, shardSize: 64 }),
      TooFewShardsError
    )
    assert.throws(
      () => rebuildSlice(all.slice(0, 5), { dataShards: 3, parityShards: 3, shardSize: 64 }),
      /6 entries/
    )
    assert.throws(
      () => rebuildSlice(lose(all, [0]), { dataShards: 3, parityShards: 3, shardSize: 64, want: [6] }),
      /outside 0\.\.5/
    )
  })
})

describe('SlicePool.rebuild', () => {
  for (const coding of [
    { mode: 'rs-proportion' as const, dataShards: 4, parityShards: 2 },
    { mode: 'rs-size' as const, dataShards: 4, parityShards: 3, shardSize: 4096 }
  ]) {
    it(`rebuilds a slice sealed by the upload path (${coding.mode}) without the key`, async () => {
      const params: SealParams = { ...fileContext(), sliceIndex: 3, ...coding }
      const plain = randomBytes(random(11), 50_000)
      const sealed = await sealSlice(plain, params)
      const total = sealed.dataShards + sealed.parityShards
      const lost = [0, total - 1]
      const originals = sealed.shards.map((s) => s.slice())
      const rebuilt = await pool.rebuild(
        lose(
          originals.map((s) => s.slice()),
          lost
        ),
        {
          dataShards: sealed.dataShards,
          parityShards: sealed.parityShards,
          shardSize: sealed.shardSize,
          ids: sealed.ids
        }
      )
      assert.deepEqual(
        rebuilt.shards.map((s) => s.index),
        lost
      )
      for (const s of rebuilt.shards) {
        assert.deepEqual(s.id, sealed.ids[s.index])
        assert.deepEqual(s.bytes, originals[s.index])
        assert.equal(s.crc32c, sealed.crcs[s.index])
      }
      // Rebuilt shards open with the key like the ones the upload made.
      const shards = originals.map((s, i) => rebuilt.shards.find((r) => r.index === i)?.bytes ?? s)
      const opened = await openSlice(lose(shards, [1]), {
        ...params,
        nonce: sealed.nonce,
        cipherLength: sealed.cipherLength,
        plainLength: sealed.plainLength,
        ids: sealed.ids
      })
      assert.deepEqual(opened.plain, plain)
    })
  }

  it('brings the worker error back as its class', async () => {
    const shards = xorshiftShards(9, 3, 32)
    await assert.rejects(
      pool.rebuild(lose([...shards, null], [0, 1]), { dataShards: 3, parityShards: 1, shardSize: 32 }),
      TooFewShardsError
    )
  })
})
