// What every ShardStore does, whatever keeps the bytes. Shards here are random bytes with real,
// owner-signed headers and ids; nothing is faked but the file they belong to.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, randomBytes, type SigningKey, sha256 } from '@defs/crypto'
import { limits, type ShardClaim, type ShardUploader, shardHeaderOf, signShardHeader } from '@defs/segment'
import { hex } from '../bytes.ts'
import { QuotaExceededError } from '../errors.ts'
import { headerOf, type ShardStore } from '../shard-store.ts'

export interface OpenedStore {
  store: ShardStore
  /** Open the same store again, as after a restart (omit for a store that keeps nothing). */
  reopen?: () => Promise<ShardStore>
  /** Release what the store holds (files, handles); called once per test. */
  close?: () => Promise<void>
}

/** A fresh, empty store; `maxBytes` bounds what it may hold (a disk store counts its headers too). */
export type OpenStore = (options: { maxBytes: number }) => Promise<OpenedStore>

interface Shard {
  id: Uint8Array
  body: Uint8Array
  claim: ShardClaim
}

const [alice, bob] = await Promise.all([generateSigningKey(), generateSigningKey()])
const stranger: ShardUploader = { peer: 'peer-s', group: 'ip4:198.18.1.0/24', stranger: true }
const known: ShardUploader = { peer: 'peer-k', group: 'ip4:198.18.2.0/24' }

async function shard(
  size: number,
  options: {
    fileId?: Uint8Array
    index?: number
    owner?: SigningKey
    uploader?: ShardUploader
    body?: Uint8Array
  } = {}
): Promise<Shard> {
  const body = options.body ?? randomBytes(size)
  const id = await sha256(body)
  const fields = {
    fileId: options.fileId ?? randomBytes(16),
    slice: 0,
    index: options.index ?? 0,
    dataShards: 10,
    parityShards: 4
  }
  const header = await signShardHeader(options.owner ?? alice, id, shardHeaderOf(fields, body))
  return {
    id,
    body,
    claim: options.uploader === undefined ? header : { ...header, uploader: options.uploader }
  }
}

/** The same bytes claimed by another owner for another file. */
async function sameBytes(s: Shard, owner: SigningKey, uploader?: ShardUploader): Promise<Shard> {
  return shard(s.body.length, { body: s.body, owner, uploader })
}

const sorted = (ids: Uint8Array[]): string[] => ids.map(hex).sort()

async function collect(pieces: AsyncIterable<Uint8Array>, chunkSize: number): Promise<Uint8Array> {
  const all: Uint8Array[] = []
  for await (const piece of pieces) {
    assert.ok(piece.byteLength <= chunkSize, `a ${piece.byteLength}-byte piece over the ${chunkSize} asked`)
    all.push(piece.slice())
  }
  return new Uint8Array(Buffer.concat(all))
}

/** The contract of ShardStore, run against the stores `open` makes. */
export function describeShardStore(name: string, open: OpenStore): void {
  const withStore = async (maxBytes: number, test: (opened: OpenedStore) => Promise<void>): Promise<void> => {
    const opened = await open({ maxBytes })
    try {
      await test(opened)
    } finally {
      await opened.close?.()
    }
  }
  const GiB = 1024 ** 3

  describe(`ShardStore contract: ${name}`, () => {
    it('stores a shard and gives back its header, its claim, its body and any range of it', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(10_001, { uploader: known })
        assert.equal(await store.has(s.id), false)
        assert.deepEqual(await store.claims(s.id), [])
        await store.put(s.id, s.body, s.claim)
        assert.equal(await store.has(s.id), true)
        assert.deepEqual(await store.stat(s.id), headerOf(s.claim))
        assert.deepEqual(await store.claims(s.id), [s.claim])
        assert.deepEqual(await store.get(s.id), s.body)
        for (const range of [
          { offset: 0, length: 1 },
          { offset: 100, length: 50 },
          { offset: 10_000, length: 1 },
          { offset: 0, length: 10_001 },
          { offset: 10_001, length: 0 }
        ]) {
          assert.deepEqual(
            await store.get(s.id, range),
            s.body.subarray(range.offset, range.offset + range.length)
          )
        }
        const missing = randomBytes(32)
        assert.equal(await store.stat(missing), undefined)
        assert.equal(await store.get(missing), undefined)
        assert.equal(await store.get(missing, { offset: 0, length: 1 }), undefined)
      }))

    it('reads a body or a range in pieces no larger than asked', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(100_000)
        await store.put(s.id, s.body, s.claim)
        assert.deepEqual(await collect(store.read(s.id, undefined, 16_384), 16_384), s.body)
        assert.deepEqual(await collect(store.read(s.id, undefined, 1 << 20), 1 << 20), s.body)
        const range = { offset: 12_345, length: 40_000 }
        assert.deepEqual(
          await collect(store.read(s.id, range, 7000), 7000),
          s.body.subarray(range.offset, range.offset + range.length)
        )
        assert.equal((await collect(store.read(randomBytes(32), undefined, 1000), 1000)).length, 0)
      }))

    it('refuses a range outside the shard with a RangeError', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(1000)
        await store.put(s.id, s.body, s.claim)
        for (const range of [
          { offset: 999, length: 2 },
          { offset: 1001, length: 0 },
          { offset: -1, length: 1 }
        ]) {
          await assert.rejects(store.get(s.id, range), RangeError, JSON.stringify(range))
        }
      }))

    it('takes a body in the pieces it arrived in', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(3000)
        await store.put(
          s.id,
          [s.body.subarray(0, 1), s.body.subarray(1, 2048), s.body.subarray(2048)],
          s.claim
        )
        assert.deepEqual(await store.get(s.id), s.body)
      }))

    it('stores an id once: the same claim again changes nothing', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(4096, { uploader: stranger })
        await store.put(s.id, s.body, s.claim)
        const size = await store.size()
        await store.put(s.id, s.body, s.claim)
        await Promise.all([store.put(s.id, s.body, s.claim), store.put(s.id, s.body, s.claim)])
        assert.equal(await store.size(), size)
        assert.equal((await store.claims(s.id)).length, 1)
        assert.deepEqual(await store.shardsOf(s.claim.fileId), [s.id])
        assert.deepEqual(await store.get(s.id), s.body)
        assert.equal((await store.usage()).byPeer.get(stranger.peer), 4096)
      }))

    it('keeps one copy of bytes several owners claim, and lets each remove only its own claim', () =>
      withStore(GiB, async ({ store }) => {
        const mine = await shard(5000, { uploader: known })
        const theirs = await sameBytes(mine, bob, stranger)
        await store.put(mine.id, mine.body, mine.claim)
        await store.put(theirs.id, theirs.body, theirs.claim)
        assert.equal(await store.size(), 5000, 'the bytes are kept once')
        assert.deepEqual(await store.claims(mine.id), [mine.claim, theirs.claim])
        assert.deepEqual(await store.shardsOf(mine.claim.fileId), [mine.id])
        assert.deepEqual(await store.shardsOf(theirs.claim.fileId), [mine.id])
        // a claim names its file and owner: bob has none on alice's file, alice none on bob's
        assert.equal(await store.unclaim(mine.id, mine.claim.fileId, bob.publicKey), false)
        assert.equal(await store.unclaim(mine.id, theirs.claim.fileId, alice.publicKey), false)
        assert.equal(await store.unclaim(mine.id, theirs.claim.fileId, bob.publicKey), true)
        assert.deepEqual(await store.claims(mine.id), [mine.claim])
        assert.deepEqual(await store.shardsOf(theirs.claim.fileId), [])
        assert.deepEqual(await store.get(mine.id), mine.body, 'the shard stays while an owner is left')
        assert.equal(await store.unclaim(mine.id, mine.claim.fileId, alice.publicKey), true)
        assert.equal(await store.has(mine.id), false, 'the shard goes with its last claim')
        assert.equal(await store.size(), 0)
        assert.equal(await store.unclaim(mine.id, mine.claim.fileId, alice.publicKey), false)
      }))

    it('refuses more claims on one shard than limits.maxClaimsPerShard', () =>
      withStore(GiB, async ({ store }) => {
        const first = await shard(100)
        await store.put(first.id, first.body, first.claim)
        for (let i = 1; i < limits.maxClaimsPerShard; i++) {
          const more = await shard(100, { body: first.body, index: i % 14 })
          await store.put(more.id, more.body, more.claim)
        }
        assert.equal((await store.claims(first.id)).length, limits.maxClaimsPerShard)
        const over = await shard(100, { body: first.body, owner: bob })
        await assert.rejects(store.put(over.id, over.body, over.claim), QuotaExceededError)
      }))

    it('charges each claim to whoever stored it: peer, network group and strangers', () =>
      withStore(GiB, async ({ store }) => {
        const a = await shard(1000, { uploader: stranger })
        const b = await shard(2000, { uploader: known })
        const own = await shard(4000)
        const again = await sameBytes(b, bob, stranger)
        for (const s of [a, b, own, again]) await store.put(s.id, s.body, s.claim)
        let usage = await store.usage()
        assert.equal(usage.byPeer.get(stranger.peer), 3000)
        assert.equal(usage.byPeer.get(known.peer), 2000)
        assert.equal(usage.byGroup.get(stranger.group!), 3000)
        assert.equal(usage.byGroup.get(known.group!), 2000)
        assert.equal(usage.strangers, 3000)
        assert.equal(usage.byPeer.size, 2, 'what this node stored itself is charged to nobody')
        await store.unclaim(b.id, again.claim.fileId, bob.publicKey)
        await store.delete(a.id)
        usage = await store.usage()
        assert.equal(usage.byPeer.get(stranger.peer) ?? 0, 0)
        assert.equal(usage.strangers, 0)
        assert.equal(usage.byPeer.get(known.peer), 2000)
      }))

    it('counts the bytes of the bodies it holds', () =>
      withStore(GiB, async ({ store }) => {
        assert.equal(await store.size(), 0)
        const shards = await Promise.all([1000, 2000, 3000].map((n) => shard(n)))
        for (const s of shards) await store.put(s.id, s.body, s.claim)
        assert.equal(await store.size(), 6000)
        await store.delete(shards[1]!.id)
        assert.equal(await store.size(), 4000)
      }))

    it('deletes a shard with every claim once, and then holds nothing of it', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(2000)
        const other = await sameBytes(s, bob)
        await store.put(s.id, s.body, s.claim)
        await store.put(other.id, other.body, other.claim)
        assert.equal(await store.delete(s.id), true)
        assert.equal(await store.delete(s.id), false)
        assert.equal(await store.has(s.id), false)
        assert.equal(await store.stat(s.id), undefined)
        assert.deepEqual(await store.claims(s.id), [])
        assert.equal(await store.get(s.id), undefined)
        assert.deepEqual(await store.shardsOf(s.claim.fileId), [])
        assert.deepEqual(await store.shardsOf(other.claim.fileId), [])
        assert.equal(await store.size(), 0)
        // and it can be stored again
        await store.put(s.id, s.body, s.claim)
        assert.deepEqual(await store.get(s.id), s.body)
      }))

    it('lists the shards of each file apart', () =>
      withStore(GiB, async ({ store }) => {
        const [a, b] = [randomBytes(16), randomBytes(16)]
        const mine = await Promise.all([0, 1, 2].map((index) => shard(100 + index, { fileId: a, index })))
        const theirs = await shard(100, { fileId: b })
        for (const s of [...mine, theirs]) await store.put(s.id, s.body, s.claim)
        assert.deepEqual(sorted(await store.shardsOf(a)), sorted(mine.map((s) => s.id)))
        assert.deepEqual(sorted(await store.shardsOf(b)), [hex(theirs.id)])
        assert.deepEqual(await store.shardsOf(randomBytes(16)), [])
      }))

    it('refuses puts past its bound with QuotaExceededError, also when they race', () =>
      withStore(5000, async ({ store }) => {
        const shards = await Promise.all(Array.from({ length: 8 }, (_, index) => shard(1000, { index })))
        const results = await Promise.allSettled(shards.map((s) => store.put(s.id, s.body, s.claim)))
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        const stored = results.length - refused.length
        assert.ok(stored >= 1 && stored <= 5, `stored ${stored}`)
        for (const r of refused) assert.ok(r.reason instanceof QuotaExceededError, String(r.reason))
        assert.equal(await store.size(), stored * 1000)
        // a delete makes room again
        const held = shards.filter((_, i) => results[i]!.status === 'fulfilled')
        const waiting = shards.find((_, i) => results[i]!.status === 'rejected')!
        await store.delete(held[0]!.id)
        await store.put(waiting.id, waiting.body, waiting.claim)
        assert.equal(await store.has(waiting.id), true)
      }))

    it('holds everything again after a restart: bodies, claims and who stored what', () =>
      withStore(GiB, async ({ store, reopen }) => {
        if (reopen === undefined) return // a store that keeps nothing has nothing to show here
        const fileId = randomBytes(16)
        const shards = await Promise.all(
          [1000, 2000, 3000].map((n, index) => shard(n, { fileId, index, uploader: stranger }))
        )
        for (const s of shards) await store.put(s.id, s.body, s.claim)
        const extra = await sameBytes(shards[1]!, bob, known)
        await store.put(extra.id, extra.body, extra.claim)
        const dropped = await sameBytes(shards[2]!, bob, known)
        await store.put(dropped.id, dropped.body, dropped.claim)
        await store.unclaim(shards[2]!.id, fileId, alice.publicKey)
        await store.delete(shards[0]!.id)
        const again = await reopen()
        assert.equal(await again.size(), 5000)
        assert.deepEqual(sorted(await again.shardsOf(fileId)), [hex(shards[1]!.id)])
        assert.deepEqual(await again.claims(shards[1]!.id), [shards[1]!.claim, extra.claim])
        assert.deepEqual(await again.claims(shards[2]!.id), [dropped.claim])
        for (const s of shards.slice(1)) assert.deepEqual(await again.get(s.id), s.body)
        assert.equal(await again.has(shards[0]!.id), false)
        const usage = await again.usage()
        assert.equal(usage.byPeer.get(stranger.peer), 2000)
        assert.equal(usage.byPeer.get(known.peer), 5000)
        assert.equal(usage.strangers, 2000)
      }))
  })
}
