// What the disk store does beyond the ShardStore contract (shard-store-compliance.test.ts): its
// files, rot, reads of only the bytes asked, and the leftovers of a crash.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import { ShardCorruptError, shardHeaderOf, signShardHeader } from '@defs/segment'
import { toHex } from '../src/disk/hex.ts'
import { DiskShardStore } from '../src/disk/shard-store.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-shards-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

const fileId = new Uint8Array(16).fill(7)
const [owner, other] = await Promise.all([generateSigningKey(), generateSigningKey()])
async function shard(size: number, key = owner, body = randomBytes(size)) {
  const id = await sha256(body)
  const fields = { fileId, slice: 0, index: 0, dataShards: 10, parityShards: 4 }
  return { id, body, header: await signShardHeader(key, id, shardHeaderOf(fields, body)) }
}

async function openStore(name: string, maxBytes = 1 << 30): Promise<DiskShardStore> {
  await mkdir(join(root, name, 'tmp'), { recursive: true })
  return DiskShardStore.open(join(root, name, 'shards'), join(root, name, 'tmp'), maxBytes)
}

async function pieces(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const piece of iterable) out.push(piece)
  return out
}

describe('DiskShardStore on disk', () => {
  it('keeps a shard as one file under its file id, a second owner beside it, and no temp files', async () => {
    const store = await openStore('a')
    const s = await shard(10_001)
    await store.put(s.id, s.body, s.header)
    const dir = join(root, 'a', 'shards', toHex(fileId))
    assert.deepEqual(await readdir(dir), [toHex(s.id)])
    const theirs = await shard(0, other, s.body)
    await store.put(theirs.id, theirs.body, theirs.header)
    assert.deepEqual((await readdir(dir)).sort(), [toHex(s.id), `${toHex(s.id)}.claims`])
    assert.ok(store.usedBytes > (await store.size()), 'usedBytes counts the claims in front of the body')
    await store.delete(s.id)
    assert.deepEqual(await readdir(dir), [])
    assert.deepEqual(await readdir(join(root, 'a', 'tmp')), [])
  })

  it('finds a rotted shard: get throws, and a streamed read throws before its last piece', async () => {
    const store = await openStore('d')
    const s = await shard(4096)
    await store.put(s.id, s.body, s.header)
    const path = join(root, 'd', 'shards', toHex(fileId), toHex(s.id))
    const bytes = await readFile(path)
    bytes[bytes.length - 10]! ^= 1
    await writeFile(path, bytes)
    await assert.rejects(store.get(s.id), ShardCorruptError)
    const seen: Uint8Array[] = []
    await assert.rejects(async () => {
      for await (const piece of store.read(s.id, undefined, 1024)) seen.push(piece)
    }, ShardCorruptError)
    assert.equal(seen.length, 3, 'the last of four pieces never left')
    // a range is read alone and not checked: the caller checks it (AEAD)
    assert.deepEqual(await store.get(s.id, { offset: 0, length: 100 }), s.body.subarray(0, 100))
  })

  it('reads a range without the rest of the file', async () => {
    const store = await openStore('r')
    const s = await shard(1 << 20)
    await store.put(s.id, s.body, s.header)
    // cut the file after the first 1000 body bytes: ranges inside them are still served
    const path = join(root, 'r', 'shards', toHex(fileId), toHex(s.id))
    const head = (await readFile(path)).length - s.body.length
    await truncate(path, head + 1000)
    assert.deepEqual(await store.get(s.id, { offset: 10, length: 990 }), s.body.subarray(10, 1000))
    assert.deepEqual(
      Buffer.concat(await pieces(store.read(s.id, { offset: 0, length: 1000 }, 300))),
      Buffer.from(s.body.subarray(0, 1000))
    )
    await assert.rejects(store.get(s.id, { offset: 900, length: 200 }), ShardCorruptError)
  })

  it('sweeps up the claims file of a shard a crash left half deleted', async () => {
    const store = await openStore('c')
    const s = await shard(500)
    await store.put(s.id, s.body, s.header)
    const theirs = await shard(0, other, s.body)
    await store.put(theirs.id, theirs.body, theirs.header)
    const dir = join(root, 'c', 'shards', toHex(fileId))
    await rm(join(dir, toHex(s.id))) // the first of a delete's two unlinks
    const again = await openStore('c')
    assert.equal(await again.has(s.id), false)
    assert.deepEqual(await readdir(dir), [])
  })
})
