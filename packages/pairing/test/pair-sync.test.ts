// The pair's per-prefix inventory sync on real libp2p hosts (127.0.0.1): partners with 2,000
// shard ids in common and a few different exchange only the ids of the buckets that differ, a
// resumed walk skips what is done, an empty partner needs no listing at all, and a partner whose
// answers are out of bounds (too large a frame, ids outside the prefix, more than it counted) is
// refused with a named error before its answer is used.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { afterEach, describe, it } from 'node:test'
import { handleRequests } from '@defs/net'
import {
  answerSync,
  MAX_LEAF_IDS,
  PairSyncError,
  PrefixInventory,
  partnerLacks,
  type SyncLeaf,
  type SyncStats
} from '@defs/pairing'
import {
  encodePairResponse,
  limits,
  PAIR_BUCKET_HASH_BYTES,
  PAIR_BUCKETS,
  PAIR_LIST_MAX_IDS,
  PAIR_PROTOCOL,
  type PairRequest
} from '@defs/segment'
import { mesh, type PairNode, startPairNode } from './hosts.ts'

const started: PairNode[] = []
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((n) => n.stop()))
})

const ids = (n: number) => Array.from({ length: n }, () => randomBytes(32).toString('hex'))

async function collect(leaves: AsyncIterable<SyncLeaf>): Promise<string[]> {
  const out: string[] = []
  for await (const leaf of leaves) out.push(...leaf.missing)
  return out
}

/** Two paired nodes answering from the inventories the test holds. */
async function pairedWith(a: { inv: PrefixInventory }, b: { inv: PrefixInventory }) {
  const [na, nb] = await Promise.all([
    startPairNode({ autoPair: false, inventory: () => a.inv }),
    startPairNode({ autoPair: false, inventory: () => b.inv })
  ])
  started.push(na!, nb!)
  await mesh([na!, nb!])
  const pairing = await na!.pair.pairWith(nb!.host.peerId)
  return { na: na!, nb: nb!, epoch: pairing.record.epoch }
}

const firstByte = (id: string) => id.slice(0, 2)

describe('the per-prefix inventory sync', { timeout: 120_000 }, () => {
  it('exchanges the ids of the differing buckets only, both ways, and resumes after a cursor', async () => {
    const common = ids(2000)
    const onlyA = ids(5)
    const onlyB = ids(3)
    const a = { inv: new PrefixInventory([...common, ...onlyA]) }
    const b = { inv: new PrefixInventory([...common, ...onlyB]) }
    const { na, nb, epoch } = await pairedWith(a, b)

    const stats: SyncStats = { bucketRequests: 0, listed: 0, equal: 0 }
    const missing = await collect(na.pair.lacking(nb.host.peerId, epoch, a.inv, '', stats))
    assert.deepEqual(missing, [...onlyA].sort(), 'b lacks exactly what only a holds')
    // what b listed: its ids in the buckets where either side's extras fall, nothing of the rest
    const differing = new Set([...onlyA, ...onlyB].map(firstByte))
    const inThoseBuckets = b.inv.ids.filter((id) => differing.has(firstByte(id))).length
    assert.ok(stats.listed <= inThoseBuckets, `listed ${stats.listed}, b has ${inThoseBuckets} there`)
    assert.ok(stats.listed < common.length / 20, `listed ${stats.listed} of ${common.length} in common`)
    assert.equal(stats.bucketRequests, 1, '~8 ids a bucket: the root answer suffices, no recursion')
    assert.equal(
      stats.equal,
      common.length + onlyA.length - a.inv.ids.filter((id) => differing.has(firstByte(id))).length
    )

    const back = await collect(nb.pair.lacking(na.host.peerId, epoch, b.inv))
    assert.deepEqual(back, [...onlyB].sort(), 'and a lacks what only b holds')

    const sorted = [...onlyA].sort()
    const resumed = await collect(na.pair.lacking(nb.host.peerId, epoch, a.inv, sorted[1]!))
    assert.deepEqual(resumed, sorted.slice(2), 'a resumed walk yields only ids after the cursor')
  })

  it('an empty partner (a failover) gets everything without a single id listed', async () => {
    const mine = ids(2000)
    const a = { inv: new PrefixInventory(mine) }
    const b = { inv: new PrefixInventory([]) }
    const { na, nb, epoch } = await pairedWith(a, b)
    const stats: SyncStats = { bucketRequests: 0, listed: 0, equal: 0 }
    const missing = await collect(na.pair.lacking(nb.host.peerId, epoch, a.inv, '', stats))
    assert.deepEqual(missing, [...mine].sort())
    assert.equal(stats.listed, 0)
  })

  it('goes down a level where a bucket is larger than a page', async () => {
    // 256 * 200 ids: ~200 a bucket, above PAIR_LIST_MAX_IDS
    const common = ids(256 * 200)
    const extra = ids(2)
    const local = new PrefixInventory([...common, ...extra])
    const remote = new PrefixInventory(common)
    const stats: SyncStats = { bucketRequests: 0, listed: 0, equal: 0 }
    const ask = async (req: PairRequest) =>
      answerSync(req as Extract<PairRequest, { kind: 'buckets' | 'list' }>, remote)
    const missing = await collect(partnerLacks(ask, 'remote', 1, local, '', stats))
    assert.deepEqual(missing, [...extra].sort())
    assert.ok(
      stats.bucketRequests >= 2 && stats.bucketRequests <= 3,
      `${stats.bucketRequests} bucket requests`
    )
    assert.ok(stats.listed <= 2 * PAIR_LIST_MAX_IDS, `listed ${stats.listed} of ${common.length}`)
  })

  it('refuses a lying partner: ids outside the prefix, more than it counted, an oversize count', async () => {
    const local = new PrefixInventory(ids(50))
    const honest = new PrefixInventory(ids(50))
    const answer = (req: PairRequest) =>
      answerSync(req as Extract<PairRequest, { kind: 'buckets' | 'list' }>, honest)
    const outside = async (req: PairRequest) =>
      req.kind === 'list' ? { kind: 'ids' as const, ids: [randomBytes(32).fill(0xff, 0, 1)] } : answer(req)
    await assert.rejects(collect(partnerLacks(outside, 'liar', 1, local)), { name: 'PairSyncError' })
    // every page full, forever: stopped once beyond its own count
    let n = 0
    const flood = async (req: PairRequest) => {
      if (req.kind !== 'list') return answer(req)
      const page = Array.from({ length: PAIR_LIST_MAX_IDS }, () => {
        const id = new Uint8Array(32)
        id.set(req.prefix)
        new DataView(id.buffer).setUint32(req.prefix.length, ++n)
        return id
      })
      return { kind: 'ids' as const, ids: page }
    }
    await assert.rejects(collect(partnerLacks(flood, 'flood', 1, local)), (err: Error) => {
      assert.ok(err instanceof PairSyncError)
      assert.match(err.message, /listed more than/)
      return true
    })
    // a count beyond MAX_LEAF_IDS in every bucket, at every level: down to the deepest prefix,
    // and refused there before any list
    const prefixes: number[] = []
    const huge = async (req: PairRequest) => {
      if (req.kind !== 'buckets') throw new Error(`asked ${req.kind} despite the count`)
      prefixes.push(req.prefix.length)
      return {
        kind: 'buckets' as const,
        hashes: new Uint8Array(PAIR_BUCKETS * PAIR_BUCKET_HASH_BYTES),
        counts: new Array<number>(PAIR_BUCKETS).fill(MAX_LEAF_IDS + 1)
      }
    }
    await assert.rejects(collect(partnerLacks(huge, 'huge', 1, local)), { name: 'PairSyncError' })
    assert.deepEqual(prefixes, [0, 1, 2, 3], 'went down to PAIR_PREFIX_MAX_BYTES, then refused')
  })

  it('refuses an oversize answer from a real stranger before reading it', async () => {
    const a = await startPairNode({ autoPair: false, inventory: () => new PrefixInventory(ids(10)) })
    const stranger = await startPairNode({ autoPair: false })
    started.push(a, stranger)
    await mesh([a, stranger])
    // the stranger answers every pair request with a frame far over the pair message cap
    await stranger.host.unhandle(PAIR_PROTOCOL)
    const big = encodePairResponse({ kind: 'refuse', reason: 'x' })
    let asked = 0
    await handleRequests(
      stranger.host,
      PAIR_PROTOCOL,
      async () => {
        asked++
        const out = new Uint8Array(64 * limits.maxBytes.pairMessage)
        out.set(big)
        return out
      },
      { maxRequestBytes: limits.maxBytes.pairMessage, timeoutMs: 5000 }
    )
    await assert.rejects(collect(a.pair.lacking(stranger.host.peerId, 1, new PrefixInventory(ids(10)))), {
      name: 'FrameTooLargeError'
    })
    assert.equal(asked, 1, 'asked once: an oversize answer is not asked again')
  })
})
