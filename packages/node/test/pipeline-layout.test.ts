import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Manifest, sliceLayout } from '@defs/segment'
import {
  FileModeSizeError,
  type LayoutRequest,
  NotEnoughPeersError,
  planLayout,
  SEAL_OVERHEAD,
  type StorageMode,
  shardShape
} from '../src/pipeline/index.ts'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** The node's defaults: 10 + 4, slices of 1..64 MiB, 1 MiB shards for rs-size. */
const base: LayoutRequest = {
  mode: 'auto',
  dataShards: 10,
  parityShards: 4,
  minSliceSize: 1 * MiB,
  maxSliceSize: 64 * MiB,
  shardSize: 1 * MiB
}
const plan = (extra: Partial<LayoutRequest>) => planLayout({ ...base, ...extra })

function peersError(needed: number, available: number, message: string) {
  return (e: unknown) =>
    e instanceof NotEnoughPeersError &&
    e.name === 'NotEnoughPeersError' &&
    e.needed === needed &&
    e.available === available &&
    e.message === message
}

describe('planLayout: file mode', () => {
  it('stores the whole object as one slice with m + 1 replicas', () => {
    assert.deepEqual(plan({ mode: 'file', size: 1000 }), {
      mode: 'file',
      sliceSize: 1000,
      dataShards: 1,
      parityShards: 4,
      slices: 1
    })
  })
  it('gives a 0-byte file one slice of slice size 1', () => {
    assert.deepEqual(plan({ mode: 'file', size: 0 }), {
      mode: 'file',
      sliceSize: 1,
      dataShards: 1,
      parityShards: 4,
      slices: 1
    })
  })
  it('refuses a file over maxSliceSize and a stream of unknown size', () => {
    assert.throws(() => plan({ mode: 'file', size: 64 * MiB + 1 }), FileModeSizeError)
    assert.throws(
      () => plan({ mode: 'file', size: 64 * MiB + 1 }),
      /at most maxSliceSize 67108864 bytes, got 67108865/
    )
    assert.throws(
      () => plan({ mode: 'file' }),
      (e: Error) => e.name === 'FileModeSizeError' && /size up front/.test(e.message)
    )
  })
  it('needs a peer per replica', () => {
    assert.throws(
      () => plan({ mode: 'file', size: 10, peers: 3 }),
      peersError(5, 3, 'file mode with 5 replicas needs 5 peers, the network has 3')
    )
  })
})

describe('planLayout: slice mode', () => {
  it('cuts into maxSliceSize slices, each replicated', () => {
    assert.deepEqual(plan({ mode: 'slice', size: 200 * MiB }), {
      mode: 'slice',
      sliceSize: 64 * MiB,
      dataShards: 1,
      parityShards: 4,
      slices: 4
    })
  })
  it('needs a peer per replica', () => {
    assert.throws(() => plan({ mode: 'slice', size: 200 * MiB, peers: 4 }), NotEnoughPeersError)
  })
})

describe('planLayout: rs-proportion', () => {
  it('keeps k + m and cuts into maxSliceSize slices', () => {
    assert.deepEqual(plan({ mode: 'rs-proportion', size: 1 * GiB }), {
      mode: 'rs-proportion',
      sliceSize: 64 * MiB,
      dataShards: 10,
      parityShards: 4,
      slices: 16
    })
  })
  it('throws naming both numbers when the network is too small', () => {
    assert.throws(
      () => plan({ mode: 'rs-proportion', size: 1 * GiB, peers: 6 }),
      peersError(14, 6, 'rs-proportion 10+4 needs 14 peers, the network has 6')
    )
  })
  it('accepts exactly k + m peers', () => {
    assert.equal(plan({ mode: 'rs-proportion', size: 1 * GiB, peers: 14 }).dataShards, 10)
  })
  it('uses a short single slice for a file below maxSliceSize', () => {
    const l = plan({ mode: 'rs-proportion', size: 5 * MiB + 3 })
    assert.equal(l.sliceSize, 5 * MiB + 3)
    assert.equal(l.slices, 1)
  })
  it('uses maxSliceSize slices for a stream of unknown size', () => {
    const l = plan({ mode: 'rs-proportion' })
    assert.equal(l.sliceSize, 64 * MiB)
    assert.equal(l.slices, undefined)
  })
})

describe('planLayout: rs-size', () => {
  it('fixes the shard size and lets k grow with the slice', () => {
    assert.deepEqual(plan({ mode: 'rs-size', size: 1 * GiB }), {
      mode: 'rs-size',
      sliceSize: 64 * MiB,
      dataShards: 65, // 64 MiB + the 16-byte tag in 1 MiB shards
      parityShards: 4,
      shardSize: 1 * MiB,
      slices: 16
    })
  })
  it('caps the slice so k + m stays within 256', () => {
    const l = plan({ mode: 'rs-size', size: 1 * GiB, shardSize: 64 * KiB })
    assert.equal(l.sliceSize, 252 * 64 * KiB - SEAL_OVERHEAD)
    assert.equal(l.dataShards + l.parityShards, 256)
    assert.match(l.reason ?? '', /k \+ m <= 256/)
  })
  it('needs k + m peers', () => {
    assert.throws(
      () => plan({ mode: 'rs-size', size: 1 * GiB, peers: 20 }),
      peersError(69, 20, 'rs-size 65+4 (1048576-byte shards) needs 69 peers, the network has 20')
    )
  })
})

describe('planLayout: auto', () => {
  it('stores a file below minSliceSize whole, with m + 1 replicas', () => {
    const l = plan({ size: 100 * KiB })
    assert.equal(l.mode, 'file')
    assert.equal(l.parityShards, 4)
    assert.match(l.reason ?? '', /below minSliceSize/)
  })
  it('replicates a small file on as many peers as there are', () => {
    const l = plan({ size: 100 * KiB, peers: 3 })
    assert.deepEqual([l.mode, l.dataShards, l.parityShards], ['file', 1, 2])
    assert.match(l.reason ?? '', /only 3 peers/)
  })
  it('codes larger files rs-proportion k + m', () => {
    const l = plan({ size: 10 * MiB, peers: 20 })
    assert.deepEqual(
      [l.mode, l.dataShards, l.parityShards, l.sliceSize, l.slices],
      ['rs-proportion', 10, 4, 10 * MiB, 1]
    )
  })
  it('picks the widest code that fits a small network, and says so', () => {
    const l = plan({ size: 1 * GiB, peers: 6 })
    assert.deepEqual([l.mode, l.dataShards, l.parityShards], ['rs-proportion', 4, 2])
    assert.match(l.reason ?? '', /only 6 peers: rs-proportion 4\+2, not 10\+4/)
    const three = plan({ size: 1 * GiB, peers: 3 })
    assert.deepEqual([three.dataShards, three.parityShards], [2, 1])
  })
  it('replicates slices on one or two peers, and refuses none', () => {
    const two = plan({ size: 1 * GiB, peers: 2 })
    assert.deepEqual([two.mode, two.dataShards, two.parityShards], ['slice', 1, 1])
    const one = plan({ size: 1 * GiB, peers: 1 })
    assert.deepEqual([one.mode, one.parityShards], ['slice', 0])
    assert.throws(() => plan({ size: 1 * GiB, peers: 0 }), NotEnoughPeersError)
  })
  it('uses maxSliceSize slices for a stream of unknown size', () => {
    const l = plan({})
    assert.deepEqual([l.mode, l.sliceSize, l.slices], ['rs-proportion', 64 * MiB, undefined])
  })
  it('fits the code to pairs, each taking at most m shards of a slice', () => {
    // `pairs` pairs and `single` unpaired nodes: a pair takes max(1, m) shards, a node one
    const network = (pairs: number, single: number) => ({
      peers: 2 * pairs + single,
      room: (m: number) => pairs * Math.min(2, Math.max(1, m)) + single
    })
    // 4 nodes in 2 pairs: 3+1 would need 4 pairs; 2+2 puts two shards on each pair
    const four = plan({ size: 1 * GiB, ...network(2, 0) })
    assert.deepEqual([four.mode, four.dataShards, four.parityShards], ['rs-proportion', 2, 2])
    assert.match(four.reason ?? '', /only 4 peers in pairs: rs-proportion 2\+2, not 10\+4/)
    // a pair and a node: 1+2 (any one of the two domains lost, the slice still reads)
    const three = plan({ size: 1 * GiB, ...network(1, 1) })
    assert.deepEqual([three.dataShards, three.parityShards], [1, 2])
    // m >= 2 already: nothing changes (6 nodes in 3 pairs as 6 lone nodes)
    const six = plan({ size: 1 * GiB, ...network(3, 0) })
    assert.deepEqual([six.dataShards, six.parityShards], [4, 2])
    // one pair alone: one copy of each slice, which its partner mirrors
    const pair = plan({ size: 1 * GiB, ...network(1, 0) })
    assert.deepEqual([pair.mode, pair.parityShards], ['slice', 0])
    assert.match(pair.reason ?? '', /only 2 peers in pairs: slices with 1 replicas/)
    // a small file on 2 pairs: 2 replicas, one per pair
    const small = plan({ size: 100 * KiB, ...network(2, 0) })
    assert.deepEqual([small.mode, small.parityShards], ['file', 1])
  })
})

describe('planLayout: slice size', () => {
  it('lowers the slice so workers + 1 slices and their shards fit in bufferSize', () => {
    const l = plan({ size: 1 * GiB, bufferSize: 64 * MiB, workers: 2 })
    // plaintext + 1.4x of shards = 2.4x per slice, 3 slices: 64 MiB / 7.2, rounded down to 64 KiB
    assert.equal(l.sliceSize, 142 * 64 * KiB)
    assert.ok(3 * l.sliceSize * 2.4 <= 64 * MiB)
  })
  it('never goes below minSliceSize', () => {
    assert.equal(plan({ size: 1 * GiB, bufferSize: 1 * MiB, workers: 4 }).sliceSize, 1 * MiB)
  })
  it('grows the slice so a huge file stays within the manifest slice limit', () => {
    const l = plan({
      size: 1024 * GiB * 2,
      minSliceSize: 1 * MiB,
      maxSliceSize: 64 * MiB,
      bufferSize: 8 * MiB,
      workers: 2
    })
    assert.equal(l.sliceSize, 8 * MiB)
    assert.ok((l.slices ?? 0) <= 262_144)
  })
  it('names a bad argument', () => {
    assert.throws(() => plan({ dataShards: 0 }), /dataShards must be an integer 1..255, got 0/)
    assert.throws(() => plan({ dataShards: 200, parityShards: 60 }), /at most 256, got 260/)
    assert.throws(() => plan({ mode: 'raid' as StorageMode }), /mode must be one of auto, file/)
  })
})

describe('shardShape', () => {
  it('agrees with @defs/segment sliceLayout in every mode', () => {
    const modes: { mode: StorageMode; shardSize?: number }[] = [
      { mode: 'file' },
      { mode: 'slice' },
      { mode: 'rs-proportion' },
      { mode: 'rs-size', shardSize: 4096 }
    ]
    for (const { mode, shardSize } of modes) {
      for (const cipherLength of [16, 17, 4095, 4096, 4097, 1 * MiB + 16]) {
        const coding = { mode, dataShards: 10, parityShards: 4, ...(shardSize ? { shardSize } : {}) }
        const manifest = { ...coding, slices: [{ cipherLength }] } as unknown as Manifest
        const theirs = sliceLayout(manifest, 0)
        const ours = shardShape(coding, cipherLength)
        assert.deepEqual(
          ours,
          { dataShards: theirs.dataShards, parityShards: theirs.parityShards, shardSize: theirs.shardSize },
          `${mode} at ${cipherLength}`
        )
      }
    }
  })
})
