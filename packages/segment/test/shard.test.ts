import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { crc32c, generateSigningKey, sha256 } from '@defs/crypto'
import {
  AuditRangeError,
  auditDigest,
  auditDigestOf,
  DecodeError,
  decodeShardClaims,
  decodeShardHeader,
  encodeShardClaims,
  encodeShardHeader,
  limits,
  openShard,
  peekShardClaim,
  peekShardHeader,
  ShardCorruptError,
  SignatureError,
  sealShard,
  shardHeaderOf,
  signShardHeader,
  verifyShardHeader
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
  owner,
  signature: new Uint8Array(64).fill(9)
}
const uploader = { peer: '12D3KooWExample', group: 'ip4:198.18.0.0/24', stranger: true }

describe('shard files', () => {
  it('seal then open gives the claim and the body back, the body as a view', () => {
    const body = r.bytes(100_000)
    const file = sealShard({ ...shard, uploader }, body)
    const { header, body: opened } = openShard(file)
    assert.deepEqual(header, { ...shard, uploader, length: body.length, crc32c: crc32c(body) })
    assert.deepEqual(opened, body)
    assert.equal(opened.buffer, file.buffer)
    assert.ok(file.length - body.length <= limits.maxBytes.shardClaim)
    // a claim without an uploader is a shard this node stored itself
    assert.equal(openShard(sealShard(shard, body)).header.uploader, undefined)
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

  it('peeks at the claim from the first bytes alone, without checking the body', () => {
    const body = r.bytes(50_000)
    const file = sealShard(shard, body)
    const expected = { ...shard, length: body.length, crc32c: crc32c(body) }
    assert.deepEqual(peekShardHeader(file), expected)
    assert.deepEqual(peekShardHeader(file.subarray(0, limits.maxBytes.shardClaim)), expected)
    assert.equal(peekShardClaim(file).bodyOffset, file.length - body.length)
    const rotten = file.slice()
    rotten[file.length - 1]! ^= 1
    assert.deepEqual(peekShardHeader(rotten), expected)
    assert.throws(() => openShard(rotten), ShardCorruptError)
    assert.throws(() => peekShardHeader(file.subarray(0, 5)), DecodeError)
  })

  it('refuses a damaged claim with a DecodeError', () => {
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

  it('keeps the claims of several owners of one shard, and no uploader travels in a header', () => {
    const claims = [
      { ...shard, length: 3, crc32c: 7 },
      { ...shard, length: 3, crc32c: 7, uploader }
    ]
    assert.deepEqual(decodeShardClaims(encodeShardClaims(claims)), claims)
    assert.throws(() => encodeShardClaims([]), /shardClaims must be an array of 1..64/)
    // the wire header has no uploader field: a peer cannot say who stored a shard
    const wire = encodeShardHeader({ ...shard, length: 3, crc32c: 7 })
    const withUploader = sealShard({ ...shard, uploader }, Uint8Array.of(1, 2, 3)).subarray(0, -3)
    assert.throws(() => decodeShardHeader(withUploader), DecodeError)
    assert.deepEqual(decodeShardHeader(wire), { ...shard, length: 3, crc32c: 7 })
  })
})

describe('shard headers', () => {
  it('shardHeaderOf fills length and CRC32C; the encoding is small; the largest fits its cap', () => {
    const header = { ...shardHeaderOf(shard, Uint8Array.of(1, 2, 3)), owner, signature: shard.signature }
    assert.equal(header.length, 3)
    const bytes = encodeShardHeader(header)
    assert.deepEqual(decodeShardHeader(bytes), header)
    assert.ok(bytes.length < 170, `header is ${bytes.length} bytes`)
    // The largest header (a 33-byte key under the longest algorithm name, every number at its cap) fits the cap.
    const largest = {
      fileId: new Uint8Array(16),
      slice: limits.maxSlices - 1,
      index: limits.maxShardsPerSlice - 1,
      dataShards: 1,
      parityShards: limits.maxShardsPerSlice - 1,
      length: limits.maxSliceSize + limits.maxSealOverhead,
      crc32c: 0xffffffff,
      owner: { algorithm: 'secp256k1' as const, bytes: new Uint8Array(33).fill(2) },
      signature: new Uint8Array(64)
    }
    assert.ok(encodeShardHeader(largest).length <= limits.maxBytes.shardHeader)
    const claim = { ...largest, uploader: { peer: 'p'.repeat(128), group: 'g'.repeat(64), stranger: true } }
    assert.ok(sealShard(claim, new Uint8Array(0)).length <= limits.maxBytes.shardClaim)
  })

  it('is signed by its owner over the shard id and every field', async () => {
    const key = await generateSigningKey()
    const body = r.bytes(1000)
    const id = await sha256(body)
    const header = await signShardHeader(key, id, shardHeaderOf(shard, body))
    assert.deepEqual(header.owner, key.publicKey)
    await verifyShardHeader(id, header)
    const other = await generateSigningKey()
    const changes = [
      { ...header, index: 12 },
      { ...header, slice: 101 },
      { ...header, fileId: new Uint8Array(16).fill(2) },
      { ...header, length: 999 },
      { ...header, owner: other.publicKey }
    ]
    for (const changed of changes) await assert.rejects(verifyShardHeader(id, changed), SignatureError)
    await assert.rejects(verifyShardHeader(await sha256(Uint8Array.of(1)), header), SignatureError)
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

  it('is the same when the ranges are read one by one, and reads nothing else', async () => {
    const asked: { offset: number; length: number }[] = []
    const digest = await auditDigestOf(challenge, body.length, async (range) => {
      asked.push(range)
      return body.subarray(range.offset, range.offset + range.length)
    })
    assert.deepEqual(digest, await auditDigest(challenge, body))
    assert.deepEqual(asked, challenge.ranges)
    let reads = 0
    await assert.rejects(
      auditDigestOf(
        { ...challenge, ranges: [...challenge.ranges, { offset: 9990, length: 11 }] },
        body.length,
        async () => {
          reads++
          return body
        }
      ),
      AuditRangeError
    )
    assert.equal(reads, 0, 'a range outside the shard is refused before anything is read')
  })

  it('refuses a range beyond the shard', async () => {
    await assert.rejects(
      auditDigest({ ...challenge, ranges: [{ offset: 9990, length: 11 }] }, body),
      AuditRangeError
    )
  })
})
