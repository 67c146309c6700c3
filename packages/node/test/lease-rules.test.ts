// The lease book and options on their own, over a real meta store and shard store on disk:
// options checked with errors that name them; a lease starts at first sight, is never shortened,
// survives a restart, and goes with its claim.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import { shardHeaderOf, signShardHeader } from '@defs/segment'
import { toHex } from '../src/disk/hex.ts'
import { MetaStore } from '../src/disk/meta-store.ts'
import { DiskShardStore } from '../src/disk/shard-store.ts'
import { InvalidOptionError, leases } from '../src/index.ts'
import { resolveLeaseOptions } from '../src/leases/lease-options.ts'
import { ShardLeases } from '../src/leases/shard-leases.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-leases-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('lease options', () => {
  it('are checked at createNode with errors that name them', () => {
    assert.throws(
      () => leases({ leaseDuration: 10 }),
      (e: Error) =>
        e instanceof InvalidOptionError && /option leaseDuration must be an integer/.test(e.message)
    )
    assert.throws(() => leases({ leaseGrace: -1 }), /option leaseGrace must be an integer/)
    assert.throws(() => leases({ leaseTime: 1000 } as never), /leaseTime is not a lease option/)
  })

  it('default to a day and a day of grace, renewed every quarter lease', () => {
    const o = resolveLeaseOptions()
    assert.deepEqual([o.leaseDuration, o.leaseGrace, o.renewInterval], [86_400_000, 86_400_000, 21_600_000])
    assert.equal(o.sweepInterval, 60_000)
    assert.equal(resolveLeaseOptions({ leaseDuration: 2000, leaseGrace: 0 }).sweepInterval, 500)
  })
})

describe('the lease book', () => {
  it('starts a lease at first sight, never shortens one, keeps it across a restart, drops it with its claim', async () => {
    await mkdir(join(root, 'tmp'), { recursive: true })
    const shards = await DiskShardStore.open(join(root, 'shards'), join(root, 'tmp'), 1 << 30)
    const owner = await generateSigningKey()
    const fileId = randomBytes(16)
    const body = randomBytes(1000)
    const id = await sha256(body)
    const fields = { fileId, slice: 0, index: 0, dataShards: 2, parityShards: 1 }
    await shards.put(id, body, await signShardHeader(owner, id, shardHeaderOf(fields, body)))
    const [shard, file] = [toHex(id), toHex(fileId)]

    let meta = await MetaStore.open(join(root, 'meta'))
    let book = await ShardLeases.load(meta)
    assert.equal(book.until(shard, file), undefined, 'no lease before the collector saw the claim')
    await book.sweep(shards, 5000)
    assert.equal(book.until(shard, file), 5000)
    await book.sweep(shards, 9000)
    assert.equal(book.until(shard, file), 5000, 'a later sweep does not restart it')
    assert.equal(await book.extend(file, [shard], 4000), 0, 'an earlier until changes nothing')
    assert.equal(await book.extend(file, [shard], 7000), 1)
    assert.equal(book.until(shard, file), 7000)
    const status = await book.status(shards, 6000)
    assert.deepEqual([status.held.shards, status.leased.shards, status.expired.shards], [1, 1, 0])
    assert.equal(status.held.bytes, shards.usedBytes)
    assert.equal((await book.status(shards, 8000)).expired.shards, 1)

    await meta.close()
    meta = await MetaStore.open(join(root, 'meta'))
    book = await ShardLeases.load(meta)
    assert.equal(book.until(shard, file), 7000, 'the lease was kept on disk')
    await shards.unclaim(id, fileId, owner.publicKey)
    await book.sweep(shards, 10_000)
    assert.equal(book.until(shard, file), undefined, 'the lease went with its claim')
    await meta.close()
    meta = await MetaStore.open(join(root, 'meta'))
    assert.equal((await ShardLeases.load(meta)).until(shard, file), undefined)
    await meta.close()
  })
})
