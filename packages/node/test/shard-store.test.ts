import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { shardHeaderOf } from '@defs/segment'
import { toHex } from '../src/disk/hex.ts'
import { DiskShardStore } from '../src/disk/shard-store.ts'
import { QuotaFullError } from '../src/errors.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-shards-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

const fileId = new Uint8Array(16).fill(7)
const owner = { algorithm: 'ed25519' as const, bytes: new Uint8Array(32).fill(3) }
function shard(size: number, index = 0, file = fileId) {
  const body = new Uint8Array(randomBytes(size))
  const id = new Uint8Array(createHash('sha256').update(body).digest())
  const header = shardHeaderOf(
    { fileId: file, slice: 0, index, dataShards: 10, parityShards: 4, owner },
    body
  )
  return { id, body, header }
}

async function openStore(name: string, maxBytes = 1 << 30): Promise<DiskShardStore> {
  await mkdir(join(root, name, 'tmp'), { recursive: true })
  return DiskShardStore.open(join(root, name, 'shards'), join(root, name, 'tmp'), maxBytes)
}

describe('DiskShardStore', () => {
  it('stores, reads whole and by range, and deletes', async () => {
    const store = await openStore('a')
    const s = shard(10_001, 3)
    await store.put(s.id, s.body, s.header)
    assert.equal(await store.has(s.id), true)
    assert.deepEqual(await store.get(s.id), s.body)
    assert.deepEqual(await store.stat(s.id), s.header)
    assert.deepEqual(await store.get(s.id, { offset: 100, length: 50 }), s.body.subarray(100, 150))
    await assert.rejects(store.get(s.id, { offset: 10_000, length: 2 }), RangeError)
    assert.equal(await store.delete(s.id), true)
    assert.equal(await store.delete(s.id), false)
    assert.equal(await store.has(s.id), false)
    assert.equal(await store.size(), 0)
    assert.equal(await store.get(s.id), undefined)
    assert.deepEqual(await readdir(join(root, 'a', 'tmp')), [])
  })

  it('lists the shards of a file', async () => {
    const store = await openStore('e')
    const other = new Uint8Array(16).fill(9)
    const mine = [shard(100, 0), shard(100, 1)]
    const theirs = shard(100, 0, other)
    for (const s of [...mine, theirs]) await store.put(s.id, s.body, s.header)
    const ids = (await store.shardsOf(fileId)).map(toHex).sort()
    assert.deepEqual(ids, mine.map((s) => toHex(s.id)).sort())
    assert.deepEqual((await store.shardsOf(other)).map(toHex), [toHex(theirs.id)])
  })

  it('counts what is on disk again after a restart', async () => {
    const first = await openStore('b')
    const shards = [shard(1000, 0), shard(2000, 1), shard(3000, 2)]
    for (const s of shards) await first.put(s.id, s.body, s.header)
    const second = await openStore('b')
    assert.equal(second.count, 3)
    assert.equal(await second.size(), first.usedBytes)
    assert.ok(second.usedBytes > 6000)
    for (const s of shards) assert.deepEqual(await second.get(s.id), s.body)
    assert.equal((await second.shardsOf(fileId)).length, 3)
  })

  it('refuses puts past the quota, also when they race', async () => {
    const store = await openStore('c', 5000)
    const shards = Array.from({ length: 8 }, (_, i) => shard(1000, i))
    const results = await Promise.allSettled(shards.map((s) => store.put(s.id, s.body, s.header)))
    const stored = results.filter((r) => r.status === 'fulfilled').length
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    assert.ok(stored >= 1 && stored <= 4, `stored ${stored}`)
    assert.equal(stored + refused.length, 8)
    for (const r of refused) assert.equal(r.reason.name, QuotaFullError.name, String(r.reason))
    assert.ok(store.usedBytes <= 5000)
    assert.match(String(refused[0]!.reason.message), /storage quota full: \d+ of 5000 bytes used/)
  })

  it('detects a shard file that rotted on disk', async () => {
    const store = await openStore('d')
    const s = shard(4096)
    await store.put(s.id, s.body, s.header)
    const path = join(root, 'd', 'shards', toHex(fileId), toHex(s.id))
    const bytes = await readFile(path)
    bytes[bytes.length - 10]! ^= 1
    await writeFile(path, bytes)
    await assert.rejects(store.get(s.id), (err: Error) => err.name === 'ShardCorruptError')
  })
})
