import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { MetaStore } from '../src/disk/meta-store.ts'
import type { TaskRecord } from '../src/tasks/task-types.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-meta-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('MetaStore', () => {
  it('keeps manifests across a reopen and refuses a rollback', async () => {
    const path = join(root, 'a')
    const first = await MetaStore.open(path)
    await first.putManifest('aa', 2, Uint8Array.of(2), 'o1')
    await first.putManifest('bb', 1, Uint8Array.of(1), 'o1')
    await first.close()
    const store = await MetaStore.open(path)
    assert.deepEqual(await store.getManifest('aa'), Uint8Array.of(2))
    await assert.rejects(store.putManifest('aa', 1, Uint8Array.of(1), 'o1'), (err: Error) => {
      assert.equal(err.name, 'RollbackError')
      assert.match(err.message, /seq 1 is older than seq 2/)
      return true
    })
    await store.putManifest('aa', 3, Uint8Array.of(3), 'o1')
    const all = await collect(store.manifests())
    assert.deepEqual(all.map((m) => m.fileIdHex).sort(), ['aa', 'bb'])
    await store.close()
  })

  it('tombstones a file: manifest, key and records go, the seen seq stays', async () => {
    const store = await MetaStore.open(join(root, 'b'))
    await store.putManifest('cc', 5, Uint8Array.of(5), 'o1')
    await store.putFileKey('cc', Uint8Array.of(9))
    await store.putLocation('cc', 'peerA', Uint8Array.of(1))
    await store.putLocation('cc', 'peerB', Uint8Array.of(2))
    await store.putLocation('dd', 'peerA', Uint8Array.of(3))
    assert.deepEqual((await collect(store.locations('cc'))).map((l) => l.peerId).sort(), ['peerA', 'peerB'])
    await store.tombstone('cc')
    assert.equal(await store.getManifest('cc'), undefined)
    assert.equal(await store.getFileKey('cc'), undefined)
    assert.equal(await store.isTombstoned('cc'), true)
    assert.deepEqual(await collect(store.locations('cc')), [])
    assert.equal((await collect(store.locations('dd'))).length, 1)
    await assert.rejects(store.putManifest('cc', 4, Uint8Array.of(4), 'o1'), { name: 'RollbackError' })
    await store.close()
  })

  it('persists tasks', async () => {
    const path = join(root, 'c')
    const store = await MetaStore.open(path)
    // Records of any shape round-trip; the queue's own are TaskRecords.
    await store.putTask('t1', { id: 't1', kind: 'upload', done: 3 } as unknown as TaskRecord)
    await store.putTask('t2', { id: 't2', kind: 'download', done: 0 } as unknown as TaskRecord)
    await store.deleteTask('t2')
    await store.close()
    const again = await MetaStore.open(path)
    assert.deepEqual(await collect(again.tasks()), [{ id: 't1', kind: 'upload', done: 3 }])
    await again.close()
  })

  it('lists what changed since a point, in order, across a reopen', async () => {
    const path = join(root, 'd')
    const store = await MetaStore.open(path)
    assert.deepEqual(await store.changesSince(0), { changes: [], next: 0, truncated: false })
    await store.putOwnFile('ee', 1, Uint8Array.of(1), 'o1', { slices: [[['peerA'], ['peerB']]] })
    await store.putFileKey('ee', Uint8Array.of(7))
    const first = await store.changesSince(0)
    assert.deepEqual(
      first.changes.map((c) => [c.seq, c.kind, c.fileId]),
      [
        [1, 'placement', 'ee'],
        [2, 'manifest', 'ee'],
        [3, 'key', 'ee']
      ]
    )
    assert.deepEqual(await store.getPlacement('ee'), { slices: [[['peerA'], ['peerB']]] })
    await store.putTask('t9', { id: 't9' } as unknown as TaskRecord)
    await store.close()
    const again = await MetaStore.open(path)
    await again.tombstone('ee')
    const next = await again.changesSince(first.next)
    assert.deepEqual(
      next.changes.map((c) => [c.seq, c.kind]),
      [[4, 'tombstone']]
    )
    assert.equal(again.changeSeq, 4)
    assert.equal(await again.getPlacement('ee'), undefined)
    await again.close()
  })

  it('tells a reader that fell behind the kept log to list everything', async () => {
    const store = await MetaStore.open(join(root, 'e'), { keepChanges: 3 })
    for (let i = 0; i < 5; i++) await store.putFileKey(`f${i}`, Uint8Array.of(i))
    const behind = await store.changesSince(0)
    assert.equal(behind.truncated, true)
    assert.deepEqual(
      behind.changes.map((c) => c.fileId),
      ['f2', 'f3', 'f4']
    )
    assert.equal((await store.changesSince(2)).truncated, false)
    await store.close()
  })

  it('lands a batch whole: a refused manifest leaves its placement unwritten', async () => {
    const store = await MetaStore.open(join(root, 'f'))
    await store.putManifest('gg', 5, Uint8Array.of(5), 'o1')
    await assert.rejects(store.putOwnFile('gg', 4, Uint8Array.of(4), 'o1', { slices: [] }), {
      name: 'RollbackError'
    })
    assert.equal(await store.getPlacement('gg'), undefined)
    assert.deepEqual(await store.getManifest('gg'), Uint8Array.of(5))
    await store.close()
  })

  it('keeps the no-rollback seq per owner: a higher seq of another owner moves nothing', async () => {
    const store = await MetaStore.open(join(root, 'g'))
    await store.putManifest('hh', 3, Uint8Array.of(3), 'owner-a')
    // A stranger's manifest for the same id with a huge seq does not lock out the owner's next.
    await store.putManifest('hh', 2 ** 40, Uint8Array.of(9), 'stranger')
    await store.putManifest('hh', 4, Uint8Array.of(4), 'owner-a')
    await assert.rejects(store.putManifest('hh', 2, Uint8Array.of(2), 'owner-a'), { name: 'RollbackError' })
    assert.equal(await store.seenSeq('hh', 'owner-a'), 4)
    await store.close()
  })
})
