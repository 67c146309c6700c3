import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { peekShardHeader, sealShard } from '@defs/segment'
import { createNode, type DefsNode, type RottedShard } from '../src/index.ts'
import { startNetwork, type TestNetwork } from './network/devnet.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const MiB = 1024 * 1024

describe('losing shards', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(6, { minSliceSize: 64 * 1024, maxSliceSize: 1 * MiB, bufferSize: 8 * MiB })
  })
  after(async () => {
    await net?.stop()
  })

  it('reads with m holders of every slice gone, and fails clearly with m + 1 gone', async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(3 * MiB + 100))
    const src = join(net.root, 'lossy')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    assert.ok(put.placement.length >= 3)
    // Stop two nodes other than the uploader: every slice loses at most two shards (one per peer).
    // The victims hold data shards of slice 0 (so it must be rebuilt from parity), and the third
    // one below holds another shard of it (so it drops under k for sure).
    const others = net.nodes.slice(1)
    const holderOf = (pred: (x: { index: number; peerId: string }) => boolean) =>
      others.filter((n) => put.placement[0]!.shards.some((x) => x.peerId === n.peerId && pred(x)))
    const victims = holderOf((x) => x.index < 3).slice(0, 2)
    assert.equal(victims.length, 2)
    for (const v of victims) await v.stop()
    const out = join(net.root, 'lossy-out')
    const got = await uploader!.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(data))
    const lostSomewhere = put.placement.some((s) =>
      s.shards.some((x) => victims.some((v) => v.peerId === x.peerId))
    )
    assert.ok(lostSomewhere)
    assert.ok(got.slicesReconstructed >= 1, `reconstructed ${got.slicesReconstructed}`)
    const health = await uploader!.files.check(put.fileId)
    assert.equal(health.readable, true)
    assert.ok(health.minLive >= 3 && health.minLive <= 4, `minLive ${health.minLive}`)

    // A third holder of slice 0 gone: that slice is down to 2 of 5, below k = 3.
    const third = holderOf(() => true).find((n) => !victims.includes(n))!
    await third.stop()
    const out2 = join(net.root, 'lossy-out-2')
    await assert.rejects(uploader!.files.get(put.fileId, out2), (err: Error) => {
      assert.equal(err.name, 'TooFewShardsError')
      assert.match(err.message, /^slice \d+: have 2 shards, need 3$/)
      return true
    })
    assert.ok(!(await readdir(net.root)).some((n) => n.includes('lossy-out-2')), 'no partial output')
    assert.equal((await uploader!.files.check(put.fileId)).readable, false)
  })
})

describe('a slice with exactly k - 1 shards left', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(5, { minSliceSize: 64 * 1024, maxSliceSize: 1 * MiB })
  })
  after(async () => {
    await net?.stop()
  })

  it('fails with the count, each parity shard tried once', async () => {
    const [uploader] = net.nodes
    const src = join(net.root, 'k-1')
    await writeFile(src, randomBytes(100_000))
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    assert.equal(put.placement.length, 1)
    // Delete data shards 0 and 2 and parity shard 3 where they are stored: 1 data + 1 parity remain.
    for (const { index, peerId } of put.placement[0]!.shards) {
      if (![0, 2, 3].includes(index)) continue
      const holder = net.nodes.find((n) => n.peerId === peerId)!
      const dir = join(holder.dataDir, 'shards', put.fileId)
      for (const name of await readdir(dir)) await rm(join(dir, name))
    }
    await assert.rejects(uploader!.files.get(put.fileId, join(net.root, 'k-1-out')), (err: Error) => {
      assert.equal(err.name, 'TooFewShardsError')
      assert.equal(err.message, 'slice 0: have 2 shards, need 3')
      return true
    })
  })
})

describe('a lying holder', () => {
  let net: TestNetwork
  before(async () => {
    // No repair audits: they would score the liar's honest shards as passes, at a pace set by the
    // machine, and the last test counts what the reads' lies alone do to its audit factor.
    net = await startNetwork(4, { minSliceSize: 64 * 1024, maxSliceSize: 1 * MiB, repairAudits: false })
  })
  after(async () => {
    await net?.stop()
  })

  it('is detected, named and routed around', async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(200_000))
    const src = join(net.root, 'lie')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 2 })
    // Replace a data shard held by another node with other bytes under a valid header: the file
    // is well formed on disk, but its bytes no longer hash to the shard id.
    const victim =
      put.placement[0]!.shards.find((s) => s.index === 0 && s.peerId !== uploader!.peerId) ??
      put.placement[0]!.shards.find((s) => s.index === 1 && s.peerId !== uploader!.peerId)!
    const liar = net.nodes.find((n) => n.peerId === victim.peerId)!
    const fileDir = join(liar.dataDir, 'shards', put.fileId)
    const [name] = await readdir(fileDir)
    const { length, crc32c: _crc, ...identity } = peekShardHeader(await readFile(join(fileDir, name!)))
    await writeFile(join(fileDir, name!), sealShard(identity, new Uint8Array(randomBytes(length))))
    const out = join(net.root, 'lie-out')
    const got = await uploader!.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(data))
    assert.deepEqual(got.badPeers, [liar.peerId])
  })

  it('drops a shard that rotted on its disk when it serves it, and says so', async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(300_000))
    const src = join(net.root, 'rot')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 2 })
    // One byte of a data shard's body flipped on its holder's disk: the header still reads, the
    // checksum no longer matches (bit rot, not a lie).
    const victim =
      put.placement[0]!.shards.find((s) => s.index === 0 && s.peerId !== uploader!.peerId) ??
      put.placement[0]!.shards.find((s) => s.index === 1 && s.peerId !== uploader!.peerId)!
    const holder = net.nodes.find((n) => n.peerId === victim.peerId)!
    const rotted: RottedShard[] = []
    holder.events.addEventListener('shard:rotted', (e) => rotted.push(e.detail))
    const fileDir = join(holder.dataDir, 'shards', put.fileId)
    const names = await readdir(fileDir)
    let flipped: string | undefined
    for (const name of names.filter((n) => /^[0-9a-f]{64}$/.test(n))) {
      const bytes = await readFile(join(fileDir, name))
      const { slice, index, length } = peekShardHeader(bytes)
      if (slice !== 0 || index !== victim.index) continue
      bytes[bytes.length - 1 - Math.floor(length / 2)]! ^= 0x40
      await writeFile(join(fileDir, name), bytes)
      flipped = name
    }
    assert.ok(flipped !== undefined, 'the holder keeps the victim shard')
    const out = join(net.root, 'rot-out')
    await uploader!.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(data))
    const until = Date.now() + 10_000
    while (rotted.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    assert.equal(rotted.length, 1, 'one rotted shard reported')
    assert.equal(rotted[0]!.shardId, flipped)
    assert.equal(rotted[0]!.dropped, true)
    assert.ok(
      !(await readdir(fileDir).catch((): string[] => [])).includes(flipped),
      'the rotted file is gone'
    )
  })

  it("is caught in the reader's own store too, and read around", async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(4 * MiB))
    const src = join(net.root, 'self-lie')
    await writeFile(src, data)
    // A slice where the reader itself holds a data shard (each of the 4 nodes holds one shard of
    // each slice, so almost every upload has one; a few more tries make it certain in practice).
    let found:
      | { put: Awaited<ReturnType<DefsNode['files']['put']>>; slice: number; index: number }
      | undefined
    for (let attempt = 0; attempt < 5 && found === undefined; attempt++) {
      const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 2 })
      for (const p of put.placement) {
        const own = p.shards.find((s) => s.peerId === uploader!.peerId && s.index < 2)
        if (own !== undefined) found = { put, slice: p.slice, index: own.index }
      }
    }
    assert.ok(found !== undefined, 'no upload put a data shard on the reader itself')
    const { put, slice } = found
    const fileDir = join(uploader!.dataDir, 'shards', put.fileId)
    for (const name of await readdir(fileDir)) {
      const path = join(fileDir, name)
      const { length, crc32c: _crc, ...identity } = peekShardHeader(await readFile(path))
      if (identity.slice !== slice) continue
      await writeFile(path, sealShard(identity, new Uint8Array(randomBytes(length))))
    }
    const offset = slice * put.sliceSize
    const length = Math.min(put.sliceSize, data.length - offset)
    const out = join(net.root, 'self-lie-out')
    const got = await uploader!.files.get(put.fileId, out, { range: { offset, length } })
    assert.equal(sha(await readFile(out)), sha(data.subarray(offset, offset + length)))
    assert.deepEqual(got.badPeers, [uploader!.peerId])
    assert.equal(got.slicesReconstructed, 1)
  })

  it('gets no shards once its lies bring its audit factor below 0.2, and the file it lied about still reads', async () => {
    // The first test's liar still holds its false shard: a second read meets it again.
    const [uploader] = net.nodes
    const out = join(net.root, 'lie-out-2')
    const src = join(net.root, 'lie')
    const lie = (await uploader!.files.list()).find((f) => f.name === 'lie')!
    // Each read meets the lie once and counts one failed audit: from the first test's one, two
    // more bring the factor to 0.5 / 4 (the neutral prior weighs one sample).
    let liar: string | undefined
    let audit = 1
    for (let read = 0; read < 2; read++) {
      const got = await uploader!.files.get(lie.fileId, out)
      assert.equal(sha(await readFile(out)), sha(await readFile(src)))
      assert.equal(got.badPeers.length, 1, 'the lie is met and named at every read')
      liar = got.badPeers[0]!
      audit = (await uploader!.peers.list()).find((p) => p.peerId === liar)!.factors.audit
    }
    assert.ok(liar !== undefined && audit < 0.2, `audit factor after repeated lies: ${audit}`)
    // Two data shards and one parity over the three others: the liar is not among them.
    const fresh = join(net.root, 'after-lies')
    await writeFile(fresh, randomBytes(100_000))
    const put = await uploader!.files.put(fresh, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const holders = put.placement.flatMap((p) => p.shards.map((s) => s.peerId))
    assert.equal(holders.length, 3)
    assert.ok(!holders.includes(liar), `the liar ${liar} got a shard: ${holders.join(', ')}`)
  })
})

describe('the node directory', () => {
  it('is refused to a second node while the first runs', async () => {
    const net = await startNetwork(1)
    try {
      await assert.rejects(createNode({ dataDir: net.nodes[0]!.dataDir }), { name: 'DirectoryLockedError' })
    } finally {
      await net.stop()
    }
  })

  it('keeps its identity across restarts', async () => {
    const net = await startNetwork(1)
    const dir = net.nodes[0]!.dataDir
    const id = net.nodes[0]!.peerId
    await net.nodes[0]!.stop()
    const again = await createNode({ dataDir: dir })
    try {
      assert.equal(again.peerId, id)
    } finally {
      await again.stop()
      await net.stop()
    }
  })
})
