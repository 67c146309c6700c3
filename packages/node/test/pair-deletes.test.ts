// A delete the partner missed is not undone by the pair's sync, and is applied by the partner
// (real nodes, TCP on 127.0.0.1, own directories): the owner deletes a file while one node of the
// pair is down; the node that honoured the delete keeps a tombstone of each claim, so when the
// other comes back and the digest sync sends it its copies, they are refused (409), the migrate
// task counts them as deleted instead of failing, and the node that missed the delete removes
// its copies too. Tombstones survive a restart and expire.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, sha256 } from '@defs/crypto'
import { shardHeaderOf, signShardHeader } from '@defs/segment'
import { Tombstones } from '../src/disk/tombstones.ts'
import { createNode, type DefsNode, pairingService } from '../src/index.ts'
import type { MigrateResult } from '../src/pairing/migrate-task.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { pairKnown, shardFiles, steadyPairs } from './pair-helpers.ts'

const options = steadyPairs

describe('a delete the partner missed', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(3, { services: { pairing: pairingService(options) } })
  })
  after(async () => await net?.stop())

  it('is not resurrected by the digest sync when the partner comes back, and is applied there', async () => {
    const [a, b, owner] = net.nodes as [DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    const source = join(net.root, 'deleted.bin')
    await writeFile(source, randomBytes(2 * 1024 * 1024))
    // kept: a file that is not deleted, so the sync has something true to do too
    const keptSource = join(net.root, 'kept.bin')
    await writeFile(keptSource, randomBytes(512 * 1024))
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
    assert.equal((await owner.tasks.settled(put.taskId)).state, 'done')
    const onA = await shardFiles(a, put.fileId)
    assert.ok(onA.length > 0, 'a holds shards of the file')
    await waitFor(async () => {
      const onB = new Set(await shardFiles(b, put.fileId))
      return onA.every((s) => onB.has(s))
    }, 'b mirrors them')

    await b.stop()
    const removed = await owner.files.rm(put.fileId)
    assert.ok(removed.shardsDeleted > 0)
    assert.deepEqual(await shardFiles(a, put.fileId), [], 'a honoured the delete')
    const kept = await owner.files.put(keptSource, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
    assert.equal((await owner.tasks.settled(kept.taskId)).state, 'done')

    const back = await createNode({
      dataDir: b.dataDir,
      workerNum: 1,
      services: { pairing: pairingService(options) }
    })
    net.nodes[1] = back
    assert.deepEqual(
      [...(await shardFiles(back, put.fileId))].sort(),
      [...onA].sort(),
      'b comes back with its copies of the deleted file'
    )
    for (const peer of [a, owner]) {
      await back.peers.trust(peer.peerId)
      await back.peers.connect(peer.addresses()[0]!)
    }
    // b's sync offers a its copies: refused as deleted, counted, and the task is done
    await waitFor(
      () =>
        back.tasks
          .list()
          .some(
            (t) =>
              t.kind === 'migrate' &&
              t.state === 'done' &&
              ((t.result as MigrateResult | undefined)?.deleted ?? 0) >= onA.length
          ),
      "b's migrate task done, the deleted claims refused",
      30_000
    ).catch((err: Error) => {
      // what b's migrations did, to tell a slow sync from a wrong count
      const tasks = back.tasks.list().filter((t) => t.kind === 'migrate')
      throw new Error(
        `${err.message}; b's migrate tasks: ${JSON.stringify(tasks.map((t) => [t.state, t.result, t.error]))}`
      )
    })
    assert.deepEqual(await shardFiles(a, put.fileId), [], 'no deleted shard came back to a')
    assert.deepEqual(await shardFiles(back, put.fileId), [], 'b applied the delete it missed')
    // what a took meanwhile still reaches b
    const keptOnA = await shardFiles(a, kept.fileId)
    await waitFor(
      async () => {
        const onB = new Set(await shardFiles(back, kept.fileId))
        return keptOnA.every((s) => onB.has(s))
      },
      'the kept file reaches b',
      30_000
    )
    assert.ok(
      !back.tasks.list().some((t) => t.kind === 'migrate' && t.state === 'failed'),
      'no migrate task failed'
    )
  })
})

describe('Tombstones', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-tomb-'))
  })
  after(async () => await rm(dir, { recursive: true, force: true }))

  it("refuse a buried claim (only that owner's, on that file), survive a reopen, and expire", async () => {
    const [alice, bob] = [await generateSigningKey(), await generateSigningKey()]
    const bytes = randomBytes(64)
    const id = await sha256(bytes)
    const fileId = randomBytes(16)
    const header = (fid: Uint8Array) =>
      shardHeaderOf({ fileId: fid, slice: 0, index: 0, dataShards: 1, parityShards: 0 }, bytes)
    const claim = await signShardHeader(alice, id, header(fileId))
    const bobs = await signShardHeader(bob, id, header(fileId))
    const otherFile = await signShardHeader(alice, id, header(randomBytes(16)))
    const graves = await Tombstones.open(join(dir, 'graves'), dir, 1000, 0)
    assert.equal(graves.refusal(id, claim, 0), undefined)
    await graves.bury(id, fileId, alice.publicKey, 100)
    assert.match(graves.refusal(id, claim, 200) ?? '', /was deleted here by its owner/)
    assert.equal(graves.refusal(id, bobs, 200), undefined, "another owner's claim")
    assert.equal(graves.refusal(id, otherFile, 200), undefined, 'another file')
    const reopened = await Tombstones.open(join(dir, 'graves'), dir, 1000, 500)
    assert.match(reopened.refusal(id, claim, 500) ?? '', /was deleted here by its owner/)
    assert.equal(reopened.refusal(id, claim, 1100), undefined, 'expired')
    const later = await Tombstones.open(join(dir, 'graves'), dir, 1000, 1100)
    assert.equal(later.size, 0)
    assert.deepEqual(await readdir(join(dir, 'graves')), [], 'expired tombstones are removed at open')
    await writeFile(join(dir, 'graves', 'ab.cd'), 'not json')
    await assert.rejects(Tombstones.open(join(dir, 'graves'), dir), /tombstone .*ab\.cd is unreadable/)
  })
})
