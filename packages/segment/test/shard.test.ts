import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { crc32c, sha256 } from '@defs/crypto'
import {
  AuditRangeError,
  auditDigest,
  DecodeError,
  decodeShardHeader,
  encodeShardHeader,
  limits,
  openShard,
  peekShardHeader,
  ShardCorruptError,
  sealShard,
  shardHeaderOf
} from '@defs/segment'
import { seeded } from './helpers/random.ts'

const r = seeded('shard')
const owner = { algorithm: 'ed25519' as const, bytes: new Uint8Array(32).fill(5) }
const shard = {
  fileId: new Uint8Array(16).fill(1),
  slice: 102,
  index: 13,
  dataShards: 10,
  parityShards: 4,
  owner
}

describe('shard files', () => {
  it('seal then open gives the header and the body back, the body as a view', () => {
    const body = r.bytes(100_000)
    const file = sealShard(shard, body)
    const { header, body: opened } = openShard(file)
    assert.deepEqual(header, { ...shard, length: body.length, crc32c: crc32c(body) })
    assert.deepEqual(opened, body)
    assert.equal(opened.buffer, file.buffer)
    assert.ok(file.length - body.length <= limits.maxBytes.shardHeader)
  })

  it('detects a flipped body bit, a short body and a long one', () => {
    const file = sealShard(shard, r.bytes(4096))
    const flipped = file.slice()
    flipped[file.length - 1 - r.int(0, 4095)]! ^= 1 << r.int(0, 7)
    assert.throws(() => openShard(flipped), ShardCorruptError)
    assert.throws(
      () => openShard(file.subarray(0, file.length - 1)),
      /body is 4095 bytes, its header says 4096/
    )
    const longer = new Uint8Array(file.length + 1)
    longer.set(file)
    assert.throws(() => openShard(longer), ShardCorruptError)
  })

  it('peeks at the header from the first bytes alone, without checking the body', () => {
    const body = r.bytes(50_000)
    const file = sealShard(shard, body)
    const expected = { ...shard, length: body.length, crc32c: crc32c(body) }
    assert.deepEqual(peekShardHeader(file), expected)
    assert.deepEqual(peekShardHeader(file.subarray(0, limits.maxBytes.shardHeader)), expected)
    const rotten = file.slice()
    rotten[file.length - 1]! ^= 1
    assert.deepEqual(peekShardHeader(rotten), expected)
    assert.throws(() => openShard(rotten), ShardCorruptError)
    assert.throws(() => peekShardHeader(file.subarray(0, 5)), DecodeError)
  })

  it('refuses a damaged header with a DecodeError', () => {
    const file = sealShard(shard, r.bytes(64))
    for (let i = 0; i < 300; i++) {
      const bad = file.slice()
      bad[r.int(0, 40)]! ^= 1 << r.int(0, 7)
      try {
        openShard(bad)
      } catch (err) {
        assert.ok(err instanceof DecodeError, String(err))
      }
    }
    assert.throws(() => openShard(new Uint8Array(0)), DecodeError)
  })

  it('header: shardHeaderOf fills length and CRC32C; the encoding is small', () => {
    const header = shardHeaderOf(shard, Uint8Array.of(1, 2, 3))
    assert.equal(header.length, 3)
    const bytes = encodeShardHeader(header)
    assert.deepEqual(decodeShardHeader(bytes), header)
    assert.ok(bytes.length < 96, `header is ${bytes.length} bytes`)
    // The largest header (a 33-byte key under the longest algorithm name, every number at its cap) fits the cap.
    const largest = encodeShardHeader({
      fileId: new Uint8Array(16),
      slice: limits.maxSlices - 1,
      index: limits.maxShardsPerSlice - 1,
      dataShards: 1,
      parityShards: limits.maxShardsPerSlice - 1,
      length: limits.maxSliceSize + limits.maxSealOverhead,
      crc32c: 0xffffffff,
      owner: { algorithm: 'secp256k1', bytes: new Uint8Array(33).fill(2) }
    })
    assert.ok(largest.length <= limits.maxBytes.shardHeader, `largest header is ${largest.length} bytes`)
  })
})

describe('audit digest', () => {
  const body = r.bytes(10_000)
  const challenge = {
    shard: new Uint8Array(32).fill(5),
    nonce: r.bytes(16),
    ranges: [
      { offset: 10, length: 20 },
      { offset: 9000, length: 1000 }
    ]
  }

  it('is SHA-256 over the domain, shard id, nonce and the ranges, in order', async () => {
    const expected = await sha256(
      Uint8Array.from([
        ...new TextEncoder().encode('defs:audit:v1\0'),
        ...challenge.shard,
        ...challenge.nonce,
        ...body.subarray(10, 30),
        ...body.subarray(9000, 10_000)
      ])
    )
    assert.deepEqual(await auditDigest(challenge, body), expected)
  })

  it('changes with any byte of a range and with the nonce', async () => {
    const digest = await auditDigest(challenge, body)
    const other = body.slice()
    other[9500]! ^= 1
    assert.notDeepEqual(await auditDigest(challenge, other), digest)
    assert.notDeepEqual(await auditDigest({ ...challenge, nonce: r.bytes(16) }, body), digest)
    other[9500]! ^= 1
    other[5000]! ^= 1 // outside every range
    assert.deepEqual(await auditDigest(challenge, other), digest)
  })

  it('refuses a range beyond the shard', async () => {
    await assert.rejects(
      auditDigest({ ...challenge, ranges: [{ offset: 9990, length: 11 }] }, body),
      AuditRangeError
    )
  })
})
