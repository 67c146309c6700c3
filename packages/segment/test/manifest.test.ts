import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  assertNotRollback,
  decodeManifest,
  EncodeError,
  encodeManifest,
  InvalidValueError,
  limits,
  type Manifest,
  ManifestSeqGuard,
  RollbackError,
  sliceCount,
  sliceLayout
} from '@defs/segment'
import { encode } from 'cborg'
import { manifest } from './helpers/arbitrary.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('manifest')
const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** The manifest for a 1 GiB file, 10+4, 1 MiB shards (10 MiB slices), AES-GCM's 16-byte tag. */
function oneGiB(mode: Manifest['mode'] = 'rs-proportion'): Manifest {
  const sliceSize = 10 * MiB
  const count = sliceCount(GiB, sliceSize)
  const shardSize = mode === 'rs-size' ? MiB : undefined
  const dataShards = mode === 'rs-size' ? 11 : 10
  const slices = Array.from({ length: count }, (_, i) => {
    const plainLength = i === count - 1 ? GiB - (count - 1) * sliceSize : sliceSize
    const cipherLength = plainLength + 16
    const data = mode === 'rs-size' ? Math.ceil(cipherLength / MiB) : 10
    return {
      plainLength,
      cipherLength,
      nonce: r.bytes(12),
      shards: Array.from({ length: data + 4 }, () => r.bytes(32))
    }
  })
  const m: Manifest = {
    fileId: r.bytes(16),
    seq: 1,
    owner: { algorithm: 'ed25519', bytes: r.bytes(32) },
    mode,
    dataShards,
    parityShards: 4,
    size: GiB,
    sliceSize,
    slices,
    meta: r.bytes(40),
    created: 1_700_000_000_000
  }
  if (shardSize !== undefined) m.shardSize = shardSize
  return m
}

/** The wire form built independently of the codec: integer keys as documented in the README. */
function wire(m: Manifest): Uint8Array {
  const slice = (s: Manifest['slices'][number]) =>
    new Map<number, unknown>([
      [1, s.plainLength],
      [2, s.cipherLength],
      [3, s.nonce],
      [4, s.shards]
    ])
  const fields = new Map<number, unknown>([
    [0, 1],
    [1, m.fileId],
    [2, m.seq],
    [
      3,
      new Map<number, unknown>([
        [1, m.owner.algorithm],
        [2, m.owner.bytes]
      ])
    ],
    [4, m.mode],
    [5, m.dataShards],
    [6, m.parityShards],
    [7, m.size],
    [8, m.sliceSize],
    [10, m.slices.map(slice)],
    [11, m.meta],
    [12, m.created]
  ])
  if (m.shardSize !== undefined) fields.set(9, m.shardSize)
  return encode(fields)
}

describe('manifest layout', () => {
  it('a 1 GiB file in 10+4 has 103 slices of 10 MiB, 14 shards each', () => {
    const m = oneGiB()
    assert.equal(m.slices.length, 103)
    assert.deepEqual(sliceLayout(m, 0), { dataShards: 10, parityShards: 4, shardSize: 1048578, replicas: 1 })
    assert.equal(m.slices[102]!.plainLength, 4 * MiB)
    assert.deepEqual(decodeManifest(encodeManifest(m)), m)
    assert.deepEqual(encodeManifest(m), wire(m))
  })

  it('rs-size: fixed shard size, k grows with the slice', () => {
    const m = oneGiB('rs-size')
    assert.deepEqual(sliceLayout(m, 0), { dataShards: 11, parityShards: 4, shardSize: MiB, replicas: 1 })
    assert.deepEqual(sliceLayout(m, 102), { dataShards: 5, parityShards: 4, shardSize: MiB, replicas: 1 })
    assert.deepEqual(decodeManifest(encodeManifest(m)), m)
  })

  it('replicated modes: one shard id per slice, m extra copies', () => {
    const m: Manifest = {
      ...oneGiB(),
      mode: 'file',
      dataShards: 1,
      parityShards: 2,
      size: 5,
      sliceSize: 5,
      slices: [{ plainLength: 5, cipherLength: 21, nonce: r.bytes(12), shards: [r.bytes(32)] }]
    }
    assert.deepEqual(sliceLayout(m, 0), { dataShards: 1, parityShards: 0, shardSize: 21, replicas: 3 })
    assert.deepEqual(decodeManifest(encodeManifest(m)), m)
    assert.throws(() => sliceLayout(m, 1), RangeError)
  })

  it('an empty file still has one (authenticated) slice', () => {
    assert.equal(sliceCount(0, 4096), 1)
    assert.equal(sliceCount(4096, 4096), 1)
    assert.equal(sliceCount(4097, 4096), 2)
  })

  const broken: [string, (m: Manifest) => void, RegExp][] = [
    ['a slice missing', (m) => m.slices.pop(), /slices must have 103 entries/],
    [
      'a short middle slice',
      (m) => (m.slices[5]!.plainLength -= 1),
      /slices\[5\]\.plainLength must be 10485760/
    ],
    ['ciphertext shorter than plaintext', (m) => (m.slices[0]!.cipherLength = 10), /cipherLength/],
    ['ciphertext with too much overhead', (m) => (m.slices[0]!.cipherLength += 100), /cipherLength/],
    ['a shard id missing', (m) => m.slices[3]!.shards.pop(), /slices\[3\]\.shards must have 14 ids/],
    ['shardSize outside rs-size', (m) => (m.shardSize = MiB), /shardSize/],
    ['k > 1 in a replicated mode', (m) => (m.mode = 'slice'), /dataShards must be 1/],
    ['k + m over 256', (m) => (m.parityShards = 250), /<= 256/],
    ['size and slices that disagree', (m) => (m.size += 1), /plainLength|entries/]
  ]
  for (const [what, breakIt, message] of broken) {
    it(`refuses ${what}, on encode and on decode`, () => {
      const m = oneGiB()
      breakIt(m)
      assert.throws(
        () => encodeManifest(m),
        (e: Error) => e instanceof EncodeError && message.test(e.message)
      )
      assert.throws(
        () => decodeManifest(wire(m)),
        (e: Error) =>
          e instanceof InvalidValueError && e.name === 'InvalidValueError' && message.test(e.message)
      )
    })
  }

  it('refuses file mode with more than one slice', () => {
    const m: Manifest = { ...manifest(r), mode: 'file', dataShards: 1, size: 10, sliceSize: 5 }
    delete m.shardSize
    m.slices = [0, 1].map(() => ({
      plainLength: 5,
      cipherLength: 21,
      nonce: r.bytes(12),
      shards: [r.bytes(32)]
    }))
    assert.throws(() => encodeManifest(m), /file mode stores one slice/)
  })

  it('refuses a hole in an array on encode', () => {
    const m = oneGiB()
    m.slices[2]!.shards = new Array(14)
    assert.throws(() => encodeManifest(m), /slices\[2\]\.shards\[0\] must be a Uint8Array/)
  })

  it('the manifest cap holds a 1 TiB file at 10+4 in 10 MiB slices', () => {
    const big = oneGiB()
    const count = sliceCount(1024 * GiB, big.sliceSize)
    const pool = r.bytes(4096)
    const ids = Array.from({ length: 14 }, (_, i) => pool.subarray(i * 32, i * 32 + 32))
    big.size = 1024 * GiB
    big.slices = Array.from({ length: count }, (_, i) => ({
      plainLength: i === count - 1 ? big.size - (count - 1) * big.sliceSize : big.sliceSize,
      cipherLength: (i === count - 1 ? big.size - (count - 1) * big.sliceSize : big.sliceSize) + 16,
      nonce: pool.subarray(1000, 1012),
      shards: ids
    }))
    const bytes = encodeManifest(big)
    assert.ok(bytes.length < limits.maxBytes.manifest, `${bytes.length} bytes`)
    assert.equal(decodeManifest(bytes).slices.length, 104_858)
  })

  it('refuses a value with a property the type does not have', () => {
    const m = { ...oneGiB(), name: 'secret.txt' } as Manifest
    assert.throws(() => encodeManifest(m), /manifest\.name is not a field/)
  })
})

describe('no rollback', () => {
  it('assertNotRollback refuses a lower seq only', () => {
    assertNotRollback(undefined, 0)
    assertNotRollback(5, 5)
    assertNotRollback(5, 6)
    assert.throws(() => assertNotRollback(5, 4), RollbackError)
  })

  it('ManifestSeqGuard remembers the highest seq per file, and survives a restart', () => {
    const a = r.bytes(16)
    const b = r.bytes(16)
    const guard = new ManifestSeqGuard()
    guard.accept(a, 3)
    guard.accept(b, 1)
    guard.accept(a, 4)
    assert.throws(
      () => guard.check(a, 3),
      (e: Error) => e.name === 'RollbackError' && /seq 3 is older than seq 4/.test(e.message)
    )
    assert.throws(() => guard.accept(a, 2), RollbackError)
    guard.check(a, 4)
    guard.check(b, 1)
    assert.equal(guard.seen(a), 4)
    assert.equal(guard.seen(r.bytes(16)), undefined)
    const restarted = new ManifestSeqGuard(guard.entries())
    assert.throws(() => restarted.check(a, 3), RollbackError)
    assert.equal(restarted.seen(b), 1)
  })
})
