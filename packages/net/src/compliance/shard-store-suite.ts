// What every ShardStore does, whatever keeps the bytes. Shards here are random bytes with real
// headers and ids; nothing is faked but the file they belong to.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import { type ShardHeader, shardHeaderOf } from '@defs/segment'
import { hex } from '../bytes.ts'
import { QuotaExceededError } from '../errors.ts'
import type { ShardStore } from '../shard-store.ts'

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
  header: ShardHeader
}

const owner = await generateSigningKey()

async function shard(size: number, fileId: Uint8Array = randomBytes(16), index = 0): Promise<Shard> {
  const body = randomBytes(size)
  const header = shardHeaderOf(
    { fileId, slice: 0, index, dataShards: 10, parityShards: 4, owner: owner.publicKey },
    body
  )
  return { id: await sha256(body), body, header }
}

const sorted = (ids: Uint8Array[]): string[] => ids.map(hex).sort()

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
    it('stores a shard and gives back its header, its body and any range of it', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(10_001)
        assert.equal(await store.has(s.id), false)
        await store.put(s.id, s.body, s.header)
        assert.equal(await store.has(s.id), true)
        assert.deepEqual(await store.stat(s.id), s.header)
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

    it('refuses a range outside the shard with a RangeError', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(1000)
        await store.put(s.id, s.body, s.header)
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
          s.header
        )
        assert.deepEqual(await store.get(s.id), s.body)
      }))

    it('stores an id once: a second put changes nothing', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(4096)
        await store.put(s.id, s.body, s.header)
        const size = await store.size()
        await store.put(s.id, s.body, s.header)
        await Promise.all([store.put(s.id, s.body, s.header), store.put(s.id, s.body, s.header)])
        assert.equal(await store.size(), size)
        assert.deepEqual(await store.shardsOf(s.header.fileId), [s.id])
        assert.deepEqual(await store.get(s.id), s.body)
      }))

    it('counts the bytes of the bodies it holds', () =>
      withStore(GiB, async ({ store }) => {
        assert.equal(await store.size(), 0)
        const shards = await Promise.all([1000, 2000, 3000].map((n) => shard(n)))
        for (const s of shards) await store.put(s.id, s.body, s.header)
        assert.equal(await store.size(), 6000)
        await store.delete(shards[1]!.id)
        assert.equal(await store.size(), 4000)
      }))

    it('deletes a shard once, and then holds nothing of it', () =>
      withStore(GiB, async ({ store }) => {
        const s = await shard(2000)
        await store.put(s.id, s.body, s.header)
        assert.equal(await store.delete(s.id), true)
        assert.equal(await store.delete(s.id), false)
        assert.equal(await store.has(s.id), false)
        assert.equal(await store.stat(s.id), undefined)
        assert.equal(await store.get(s.id), undefined)
        assert.deepEqual(await store.shardsOf(s.header.fileId), [])
        assert.equal(await store.size(), 0)
        // and it can be stored again
        await store.put(s.id, s.body, s.header)
        assert.deepEqual(await store.get(s.id), s.body)
      }))

    it('lists the shards of each file apart', () =>
      withStore(GiB, async ({ store }) => {
        const [a, b] = [randomBytes(16), randomBytes(16)]
        const mine = await Promise.all([0, 1, 2].map((i) => shard(100 + i, a, i)))
        const theirs = await shard(100, b)
        for (const s of [...mine, theirs]) await store.put(s.id, s.body, s.header)
        assert.deepEqual(sorted(await store.shardsOf(a)), sorted(mine.map((s) => s.id)))
        assert.deepEqual(sorted(await store.shardsOf(b)), [hex(theirs.id)])
        assert.deepEqual(await store.shardsOf(randomBytes(16)), [])
      }))

    it('refuses puts past its bound with QuotaExceededError, also when they race', () =>
      withStore(5000, async ({ store }) => {
        const shards = await Promise.all(Array.from({ length: 8 }, (_, i) => shard(1000, undefined, i)))
        const results = await Promise.allSettled(shards.map((s) => store.put(s.id, s.body, s.header)))
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        const stored = results.length - refused.length
        assert.ok(stored >= 1 && stored <= 5, `stored ${stored}`)
        for (const r of refused) assert.ok(r.reason instanceof QuotaExceededError, String(r.reason))
        assert.equal(await store.size(), stored * 1000)
        // a delete makes room again
        const held = shards.filter((_, i) => results[i]!.status === 'fulfilled')
        const waiting = shards.find((_, i) => results[i]!.status === 'rejected')!
        await store.delete(held[0]!.id)
        await store.put(waiting.id, waiting.body, waiting.header)
        assert.equal(await store.has(waiting.id), true)
      }))

    it('holds everything again after a restart', () =>
      withStore(GiB, async ({ store, reopen }) => {
        if (reopen === undefined) return
        const fileId = randomBytes(16)
        const shards = await Promise.all([1000, 2000, 3000].map((n, i) => shard(n, fileId, i)))
        for (const s of shards) await store.put(s.id, s.body, s.header)
        await store.delete(shards[0]!.id)
        const again = await reopen()
        assert.equal(await again.size(), 5000)
        assert.deepEqual(sorted(await again.shardsOf(fileId)), sorted(shards.slice(1).map((s) => s.id)))
        for (const s of shards.slice(1)) {
          assert.deepEqual(await again.stat(s.id), s.header)
          assert.deepEqual(await again.get(s.id), s.body)
        }
        assert.equal(await again.has(shards[0]!.id), false)
      }))
  })
}
