// sealSlice / openSlice on the calling thread: the per-slice contract the workers run.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AuthenticationError, crc32c, createAead, deriveSliceKey, sha256Sync, sliceAad } from '@defs/crypto'
import { TooFewShardsError } from '@defs/erasure'
import {
  type OpenParams,
  openSlice,
  type SealedSlice,
  type SealParams,
  ShardIdMismatchError,
  type SliceCoding,
  sealSlice,
  shardShape
} from '../src/pipeline/index.ts'
import { fileContext, lose, pick, random, randomBytes, randomInt } from './pipeline-fixtures.ts'

const KiB = 1024
const S = 64 * KiB

function openParams(sealParams: SealParams, s: SealedSlice, withIds = true): OpenParams {
  const { nonce, cipherLength, plainLength, ids } = s
  return { ...sealParams, nonce, cipherLength, plainLength, ...(withIds ? { ids } : {}) }
}

async function roundTrip(coding: SliceCoding, plain: Uint8Array, lost: (total: number) => number[]) {
  const params: SealParams = { ...fileContext(), sliceIndex: 7, ...coding }
  const sealed = await sealSlice(plain, params)
  const total = sealed.dataShards + sealed.parityShards
  const opened = await openSlice(lose(sealed.shards, lost(total)), openParams(params, sealed))
  return { sealed, opened, params }
}

describe('sealSlice / openSlice', () => {
  const codes: SliceCoding[] = [
    { mode: 'rs-proportion', dataShards: 10, parityShards: 4 },
    { mode: 'rs-proportion', dataShards: 1, parityShards: 1 },
    { mode: 'rs-proportion', dataShards: 3, parityShards: 2 },
    { mode: 'slice', dataShards: 1, parityShards: 4 },
    { mode: 'rs-size', dataShards: 4, parityShards: 2, shardSize: 16 * KiB }
  ]
  for (const coding of codes) {
    for (const size of [0, 1, S - 1, S, S + 1]) {
      it(`round-trips ${size} bytes with ${coding.mode} ${coding.dataShards}+${coding.parityShards}, m shards lost`, async () => {
        const next = random(size + coding.dataShards * 1000)
        const plain = randomBytes(next, size)
        const { sealed, opened } = await roundTrip(coding, plain, (n) =>
          pick(next, n, coding.mode === 'slice' ? 0 : coding.parityShards)
        )
        assert.deepEqual(opened.plain, plain)
        assert.deepEqual(opened.corrupt, [])
        assert.equal(sealed.cipherLength, size + 16)
        assert.deepEqual(
          { dataShards: sealed.dataShards, parityShards: sealed.parityShards, shardSize: sealed.shardSize },
          shardShape(coding, size + 16)
        )
      })
    }
  }

  it('round-trips a few MiB under random codes and random losses of up to m shards', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const next = random(seed)
      const k = randomInt(next, 1, 20)
      const m = randomInt(next, 1, 8)
      const plain = randomBytes(next, randomInt(next, 1 * 1024 * KiB, 3 * 1024 * KiB))
      const lost = randomInt(next, 0, m)
      const coding = { mode: 'rs-proportion' as const, dataShards: k, parityShards: m }
      const { opened } = await roundTrip(coding, plain, (n) => pick(next, n, lost))
      assert.ok(
        opened.plain.length === plain.length && Buffer.compare(opened.plain, plain) === 0,
        `seed ${seed}: ${k}+${m}`
      )
    }
  })

  it('gives the last rs-size slice only as many data shards as it fills', async () => {
    const coding: SliceCoding = { mode: 'rs-size', dataShards: 5, parityShards: 2, shardSize: 1000 }
    const { sealed, opened } = await roundTrip(coding, new Uint8Array(2500).fill(7), () => [0, 6])
    assert.equal(sealed.dataShards, 3) // 2516 bytes of ciphertext in 1000-byte shards
    assert.equal(sealed.shards.length, 5)
    assert.deepEqual(opened.plain, new Uint8Array(2500).fill(7))
  })

  it('throws TooFewShardsError with m + 1 shards lost', async () => {
    const params: SealParams = { ...fileContext(), sliceIndex: 0, dataShards: 4, parityShards: 2 }
    const sealed = await sealSlice(new Uint8Array(10_000).fill(1), params)
    await assert.rejects(
      openSlice(lose(sealed.shards, [0, 3, 5]), openParams(params, sealed)),
      (e: Error) => {
        return e instanceof TooFewShardsError && /slice 0: 3 good shards of 4 needed/.test(e.message)
      }
    )
  })

  it('names each shard by the SHA-256 of its bytes, gives its CRC32C, and lays the shards back to back', async () => {
    const params: SealParams = { ...fileContext(), sliceIndex: 3, dataShards: 6, parityShards: 3 }
    const sealed = await sealSlice(randomBytes(random(9), 50_000), params)
    assert.equal(sealed.ids.length, 9)
    assert.equal(sealed.crcs.length, 9)
    sealed.shards.forEach((s, i) => {
      assert.deepEqual(sealed.ids[i], sha256Sync(s))
      assert.equal(sealed.crcs[i], crc32c(s))
      assert.equal(s.buffer, sealed.shards[0]!.buffer)
      assert.equal(s.byteOffset, i * sealed.shardSize)
    })
  })

  it('writes the same bytes as @defs/crypto Aead: the data shards are ciphertext || tag', async () => {
    const ctx = fileContext()
    const plain = randomBytes(random(5), 300_001)
    const sealed = await sealSlice(plain, { ...ctx, sliceIndex: 2, dataShards: 7, parityShards: 2 })
    const joined = new Uint8Array(sealed.shards[0]!.buffer, 0, sealed.cipherLength)
    const key = await deriveSliceKey(ctx.fileKey, ctx.fileId, 2, ctx.version)
    const aead = await createAead()
    assert.deepEqual(
      await aead.decrypt(key, sealed.nonce, joined, sliceAad(ctx.fileId, 2, ctx.version)),
      plain
    )
  })

  it('draws a fresh nonce per slice and per run', async () => {
    const ctx = fileContext()
    const plain = new Uint8Array(1000)
    const coding = { dataShards: 2, parityShards: 1 }
    const a = await sealSlice(plain, { ...ctx, ...coding, sliceIndex: 0 })
    const b = await sealSlice(plain, { ...ctx, ...coding, sliceIndex: 1 })
    const again = await sealSlice(plain, { ...ctx, ...coding, sliceIndex: 0 })
    const hex = (n: Uint8Array) => Buffer.from(n).toString('hex')
    assert.equal(new Set([hex(a.nonce), hex(b.nonce), hex(again.nonce)]).size, 3)
    assert.notDeepEqual(a.ids[0], again.ids[0])
  })

  it('reuses a recycled output buffer, whatever it held', async () => {
    const params: SealParams = { ...fileContext(), sliceIndex: 0, dataShards: 3, parityShards: 2 }
    const plain = randomBytes(random(4), 1000)
    const out = new ArrayBuffer(5 * 339)
    new Uint8Array(out).fill(0xff)
    const sealed = await sealSlice(plain, params, out)
    assert.equal(sealed.shards[0]!.buffer, out)
    assert.deepEqual((await openSlice(lose(sealed.shards, [0, 1]), openParams(params, sealed))).plain, plain)
  })

  describe('a flipped byte', () => {
    const setup = async () => {
      const params: SealParams = { ...fileContext(), sliceIndex: 4, dataShards: 4, parityShards: 2 }
      const plain = randomBytes(random(11), 40_000)
      const sealed = await sealSlice(plain, params)
      const shards = sealed.shards.map((s) => s.slice())
      shards[1]![123] ^= 0x01
      return { params, plain, sealed, shards }
    }
    it('is left out by the id check when enough other shards are there, and named', async () => {
      const { params, plain, sealed, shards } = await setup()
      const opened = await openSlice(shards, openParams(params, sealed))
      assert.deepEqual(opened.plain, plain)
      assert.deepEqual(opened.corrupt, [1])
    })
    it('throws ShardIdMismatchError naming the shard when too few others are there', async () => {
      const { params, sealed, shards } = await setup()
      await assert.rejects(openSlice(lose(shards, [4, 5]), openParams(params, sealed)), (e: Error) => {
        return e instanceof ShardIdMismatchError && e.name === 'ShardIdMismatchError' && e.corrupt[0] === 1
      })
    })
    it('is caught by AES-GCM when no ids are given', async () => {
      const { params, sealed, shards } = await setup()
      await assert.rejects(openSlice(shards, openParams(params, sealed, false)), AuthenticationError)
    })
  })

  it('refuses a slice opened as another slice index or version (the AAD binds them)', async () => {
    const params: SealParams = { ...fileContext(), sliceIndex: 4, dataShards: 2, parityShards: 1 }
    const sealed = await sealSlice(new Uint8Array(100), params)
    const open = openParams(params, sealed, false)
    await assert.rejects(openSlice(sealed.shards, { ...open, sliceIndex: 5 }), AuthenticationError)
    await assert.rejects(openSlice(sealed.shards, { ...open, version: 2 }), AuthenticationError)
  })

  it('names wrong shapes', async () => {
    const params: SealParams = { ...fileContext(), sliceIndex: 0, dataShards: 2, parityShards: 1 }
    const sealed = await sealSlice(new Uint8Array(100), params)
    const open = openParams(params, sealed)
    await assert.rejects(openSlice(sealed.shards.slice(1), open), /shards must have 3 entries, got 2/)
    await assert.rejects(
      openSlice(sealed.shards, { ...open, cipherLength: 130 }),
      /cipherLength must be plainLength \+ 16/
    )
  })
})
