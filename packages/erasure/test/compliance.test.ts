// One contract, run against every backend: WASM with relaxed SIMD, WASM with standard SIMD, and
// pure TypeScript. Property runs use fixed seeds (printed in failure messages) and bounded counts.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ReedSolomon, type Shard } from '../src/index.ts'
import { concat, copyAll, pick, random, randomBytes, randomInt, variants } from './helpers.ts'

const create = (k: number, m: number, options: object): Promise<ReedSolomon> =>
  ReedSolomon.create({ dataShards: k, parityShards: m, ...options })

/** Random data shards plus null parity, encoded; returns the coder's view and a copy. */
function encoded(rs: ReedSolomon, next: () => number, size: number, inPlace: boolean): Uint8Array[] {
  const shards: Shard[] = inPlace ? rs.allocShards(size) : new Array(rs.totalShards).fill(null)
  for (let j = 0; j < rs.dataShards; j++) {
    const data = randomBytes(next, size)
    if (inPlace) shards[j]!.set(data)
    else shards[j] = data
  }
  return rs.encode(shards)
}

for (const variant of variants) {
  describe(`ReedSolomon contract: ${variant.name}`, () => {
    it('reports the backend it runs', async () => {
      const rs = await create(4, 2, variant.options)
      const expected = variant.options.backend === 'ts' ? 'ts' : 'wasm'
      assert.equal(rs.backend, expected)
      if (variant.options.relaxedSimd === false) assert.equal(rs.kernel, 'wasm-simd')
      assert.equal(rs.totalShards, 6)
    })

    it('reconstructs any pattern of up to m losses (random k, m, sizes)', async () => {
      const seed = 0x5eed1
      const next = random(seed)
      for (let round = 0; round < 40; round++) {
        const k = randomInt(next, 1, round % 8 === 7 ? 60 : 14)
        const m = randomInt(next, 1, round % 8 === 7 ? 40 : 8)
        const size = randomInt(next, 1, round % 3 === 0 ? 70000 : 600)
        const rs = await create(k, m, variant.options)
        const inPlace = round % 2 === 0
        const shards: Shard[] = encoded(rs, next, size, inPlace)
        const original = copyAll(shards)
        const lost = pick(next, k + m, randomInt(next, 1, m))
        for (const i of lost)
          shards[i] = round % 3 === 0 ? new Uint8Array(0) : round % 3 === 1 ? null : undefined
        rs.reconstruct(shards)
        const label = `seed ${seed} round ${round}: ${k}+${m} size ${size} lost ${lost}`
        assert.deepEqual(copyAll(shards), original, label)
        assert.equal(rs.verify(shards), true, label)
      }
    })

    it('rebuilds when every data shard is lost, and when every parity shard is', async () => {
      const next = random(2)
      for (const [k, m, size] of [
        [3, 5, 1000],
        [4, 4, 33],
        [10, 4, 4099],
        [1, 1, 7]
      ] as const) {
        const rs = await create(k, m, variant.options)
        const original = copyAll(encoded(rs, next, size, k === 10))
        if (m >= k) {
          const noData: Shard[] = copyAll(original)
          noData.fill(null, 0, k)
          assert.deepEqual(copyAll(rs.reconstruct(noData)), original, `${k}+${m} all data lost`)
        }
        const noParity: Shard[] = copyAll(original)
        noParity.fill(null, k)
        assert.deepEqual(copyAll(rs.reconstruct(noParity)), original, `${k}+${m} all parity lost`)
      }
    })

    it('reconstructData rebuilds data only and leaves lost parity missing', async () => {
      const rs = await create(5, 3, variant.options)
      const original = copyAll(encoded(rs, random(3), 777, false))
      const shards: Shard[] = copyAll(original)
      shards[1] = null
      shards[6] = null
      const out = rs.reconstructData(shards)
      assert.equal(out, shards)
      assert.deepEqual(shards[1], original[1])
      assert.equal(shards[6], null)
      assert.deepEqual(rs.join(shards, 5 * 777), concat(original.slice(0, 5)))
    })

    it('verify catches one flipped byte anywhere, in place and in plain arrays', async () => {
      const next = random(4)
      for (const [k, m, size, inPlace] of [
        [10, 4, 65536 + 13, true],
        [10, 4, 65536 + 13, false],
        [6, 3, 31, true],
        [20, 12, 2000, false],
        [20, 12, 40000, true]
      ] as const) {
        const rs = await create(k, m, variant.options)
        const shards = encoded(rs, next, size, inPlace)
        assert.equal(rs.verify(shards), true)
        for (let trial = 0; trial < 6; trial++) {
          const shard = trial === 0 ? k + m - 1 : randomInt(next, 0, k + m - 1)
          const at = trial === 1 ? size - 1 : randomInt(next, 0, size - 1)
          const bit = 1 << randomInt(next, 0, 7)
          shards[shard]![at]! ^= bit
          assert.equal(rs.verify(shards), false, `${k}+${m} flip shard ${shard} byte ${at}`)
          shards[shard]![at]! ^= bit
          assert.equal(rs.verify(shards), true)
        }
      }
    })

    it('split pads into k shards and join gives the data back', async () => {
      const next = random(5)
      for (const length of [1, 9, 10, 11, 1000, 123457]) {
        const rs = await create(10, 4, variant.options)
        const data = randomBytes(next, length)
        const shards = rs.split(data)
        const perShard = Math.ceil(length / 10)
        assert.equal(shards.length, 14)
        for (const s of shards) assert.equal(s.length, perShard)
        assert.deepEqual(concat(shards.slice(0, 10)).subarray(length), new Uint8Array(perShard * 10 - length))
        rs.encode(shards)
        const lossy: Shard[] = [...shards]
        for (const i of pick(next, 14, 4)) lossy[i] = null
        assert.deepEqual(rs.join(rs.reconstruct(lossy), length), data)
      }
    })

    it('works on unaligned subarrays and on shards mixing arena views and plain arrays', async () => {
      const rs = await create(7, 3, variant.options)
      const next = random(6)
      const reference = copyAll(encoded(rs, next, 5003, false))
      const backing = new Uint8Array(10 * 5003 + 3)
      const unaligned: Shard[] = reference.map((s, i) => {
        const view = backing.subarray(1 + i * 5003, 1 + (i + 1) * 5003)
        if (i < 7) view.set(s)
        return view
      })
      rs.encode(unaligned)
      assert.deepEqual(copyAll(unaligned), reference)
      const mixed: Shard[] = rs.allocShards(5003)
      for (let i = 0; i < reference.length; i++) {
        if (i % 2 === 0) mixed[i]!.set(reference[i]!)
        else mixed[i] = Uint8Array.from(reference[i]!)
      }
      mixed[0] = null
      mixed[8] = null
      assert.deepEqual(copyAll(rs.reconstruct(mixed)), reference)
    })

    it('reconstructs allocShards memory in place, into the lost slots', async () => {
      const rs = await create(10, 4, variant.options)
      const shards = encoded(rs, random(7), 100000, true)
      const original = copyAll(shards)
      const slots = [...shards]
      const lossy: Shard[] = [...shards]
      lossy[2] = null
      lossy[11] = null
      rs.reconstruct(lossy)
      assert.deepEqual(copyAll(lossy), original)
      if (rs.backend === 'wasm') {
        assert.equal(lossy[2], slots[2], 'the lost data slot is refilled, not replaced')
        assert.equal(lossy[11], slots[11])
      }
    })

    it('codes many parity rows (more than one kernel pass) and long shards', async () => {
      const next = random(8)
      for (const [k, m, size] of [
        [20, 20, 70001],
        [12, 9, 150000],
        [128, 128, 300]
      ] as const) {
        const rs = await create(k, m, variant.options)
        const shards: Shard[] = encoded(rs, next, size, k === 20)
        const original = copyAll(shards)
        for (const i of pick(next, k + m, m)) shards[i] = null
        assert.deepEqual(copyAll(rs.reconstruct(shards)), original, `${k}+${m} size ${size}`)
      }
    })

    it('allocates missing parity in encode and reuses freed memory zeroed', async () => {
      const rs = await create(4, 2, variant.options)
      const data = [1, 2, 3, 4].map((v) => new Uint8Array(40).fill(v))
      const shards = rs.encode([...data, null, undefined])
      assert.equal(shards.length, 6)
      assert.equal(rs.verify(shards), true)
      const a = rs.allocShards(64)
      a[0]!.fill(9)
      rs.free(a)
      const b = rs.allocShards(64)
      for (const s of b) assert.deepEqual(s, new Uint8Array(64))
    })

    it('caches decoders per loss pattern and stays correct across patterns', async () => {
      const rs = await ReedSolomon.create({
        dataShards: 6,
        parityShards: 3,
        cacheSize: 2,
        ...variant.options
      })
      const next = random(9)
      const original = copyAll(encoded(rs, next, 300, false))
      for (let round = 0; round < 30; round++) {
        const shards: Shard[] = copyAll(original)
        for (const i of pick(next, 9, 1 + (round % 3))) shards[i] = null
        assert.deepEqual(copyAll(rs.reconstruct(shards)), original, `round ${round}`)
      }
      rs.dispose()
      const shards: Shard[] = copyAll(original)
      shards[0] = null
      assert.deepEqual(copyAll(rs.reconstruct(shards)), original)
    })
  })
}
