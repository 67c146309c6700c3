import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateSigningKey, toHex } from '@defs/crypto'
import type { SyncProgressEvent } from '@defs/mirror'
import {
  type MirrorHost,
  mirrorHost,
  nodeParts,
  publishRoot,
  storeFile,
  type UserFile,
  userFile
} from './fixtures.ts'

const hosts: MirrorHost[] = []
after(async () => {
  await Promise.allSettled(hosts.map((h) => h.stop()))
})

async function started(parts = nodeParts(), init?: NonNullable<Parameters<typeof mirrorHost>[1]>['init']) {
  const host = await mirrorHost(parts, init === undefined ? {} : { init })
  hosts.push(host)
  return { host, parts }
}

describe('mirror sync over /defs/mirror/1 (real libp2p hosts on 127.0.0.1)', () => {
  it('copies a user, then after one new file only that file (counted), and serves it onwards', async () => {
    const user = await generateSigningKey()
    const home = await started()
    const events: SyncProgressEvent[] = []
    // What status() (so `defs mirror status` and /metrics) says at each step of the running sync.
    const during: { syncing: boolean; progress?: SyncProgressEvent }[] = []
    const mirror: Awaited<ReturnType<typeof started>> = await started(nodeParts(), {
      intervalMs: 0,
      onProgress: (_, e) => {
        events.push(e)
        const s = mirror.host.services.mirror.status()[0]!
        during.push({ syncing: s.syncing, ...(s.progress !== undefined ? { progress: s.progress } : {}) })
      }
    })
    await mirror.host.dial(home.host.getMultiaddrs()[0]!)
    const files: UserFile[] = []
    for (let i = 0; i < 3; i++) {
      files.push(await userFile(user))
      await storeFile(home.parts, user, files[i]!)
    }
    await publishRoot(home.host, home.parts, user, files)

    const first = await mirror.host.services.mirror.addMirror(user.publicKey, home.host.peerId)
    assert.equal(first.seq, 1)
    assert.deepEqual(first.copied.manifests, 3)
    assert.equal(first.copied.shards, 3 * 2 * 2, 'k = 2 shards of each of 2 slices of 3 files')
    assert.equal(first.copied.blobs, 1)
    for (const f of files) {
      assert.ok(await mirror.parts.content.manifests.get(f.fileId, user.publicKey))
      for (const [slice] of [[0], [1]]) {
        const held = await Promise.all(
          f.shards.filter((s) => s.slice === slice).map((s) => mirror.parts.content.shards.has(s.id))
        )
        assert.ok(held.filter(Boolean).length >= 2, 'at least k shards of every slice')
      }
    }
    assert.equal((await mirror.host.services.mirror.records.root(user.publicKey))?.record.seq, 1)
    assert.equal(await mirror.host.services.mirror.records.isHome(user.publicKey), false)
    // Progress: the bytes to copy are known once the manifests are in, before a shard moves.
    const shardBytes = files.flatMap((f) => f.shards).find(() => true)!.bytes.length
    assert.deepEqual(
      events.map((e) => [e.filesDone, e.filesTotal, e.bytesToCopy]),
      [
        [0, 3, 12 * shardBytes],
        [1, 3, 8 * shardBytes],
        [2, 3, 4 * shardBytes],
        [3, 3, 0]
      ]
    )
    assert.deepEqual(
      during,
      events.map((progress) => ({ syncing: true, progress }))
    )
    assert.equal(mirror.host.services.mirror.status()[0]!.bytesToCopy, 0)
    assert.equal(mirror.host.services.mirror.status()[0]!.progress, undefined, 'none once it finished')

    // Nothing new at home: nothing moves.
    const idle = await mirror.host.services.mirror.sync(user.publicKey)
    assert.deepEqual(idle.copied, { blobs: 0, manifests: 0, shards: 0, bytes: 0 })

    const added = await userFile(user)
    await storeFile(home.parts, user, added)
    await publishRoot(home.host, home.parts, user, [...files, added])
    const second = await mirror.host.services.mirror.sync(user.publicKey)
    assert.equal(second.seq, 2)
    assert.equal(second.filesChecked, 1, 'only the new file is looked at')
    assert.equal(second.copied.manifests, 1)
    assert.equal(second.copied.shards, 4)
    assert.equal(second.copied.blobs, 1, 'the new sealed tree')
    const status = mirror.host.services.mirror.status()
    assert.equal(status.length, 1)
    assert.equal(status[0]!.lag, 0)
    assert.deepEqual(status[0]!.lastCopied, second.copied)
    assert.deepEqual(status[0]!.seqCopied, second.copied)
    // A sync that finds nothing new copies nothing, and leaves what brought root 2 on show.
    await mirror.host.services.mirror.sync(user.publicKey)
    const after = mirror.host.services.mirror.status()[0]!
    assert.deepEqual(after.lastCopied, { blobs: 0, manifests: 0, shards: 0, bytes: 0 })
    assert.deepEqual([after.seq, after.seqCopied], [2, second.copied])
    assert.equal(status[0]!.from, home.host.peerId.toString())

    // The home stops; a third node reads the root from the mirror's signed copy, and says so.
    const reader = await started()
    await reader.host.dial(mirror.host.getMultiaddrs()[0]!)
    await home.host.stop()
    const read = await reader.host.services.mirror.readRoot(user.publicKey, {
      home: home.host.peerId,
      mirrors: [mirror.host.peerId]
    })
    assert.equal(read.source, 'mirror')
    assert.equal(read.peer, mirror.host.peerId.toString())
    assert.equal(read.root.seq, 2)
    assert.deepEqual(
      read.root.files.map(toHex),
      [...files, added].map((f) => toHex(f.fileId))
    )
  })

  it('commits the root copy only after everything it names is stored, and resumes a cut-off sync', async () => {
    const user = await generateSigningKey()
    const home = await started()
    const mirrorParts = nodeParts()
    const mirror = await started(mirrorParts)
    await mirror.host.dial(home.host.getMultiaddrs()[0]!)
    const files: UserFile[] = []
    for (let i = 0; i < 4; i++) files.push(await userFile(user, 1))
    // The home lacks two shards of the last file's only slice: it cannot give k = 2.
    for (const f of files.slice(0, 3)) await storeFile(home.parts, user, f)
    const last = files[3]!
    await storeFile(home.parts, user, { ...last, shards: last.shards.slice(0, 1) })
    await publishRoot(home.host, home.parts, user, files)

    await assert.rejects(mirror.host.services.mirror.addMirror(user.publicKey, home.host.peerId), {
      name: 'IncompleteCopyError'
    })
    assert.equal(
      await mirror.host.services.mirror.records.root(user.publicKey),
      undefined,
      'no root before its files'
    )
    const status = mirror.host.services.mirror.status()[0]!
    assert.match(status.lastError ?? '', /1 of the 2 shards/)
    assert.equal(
      status.bytesToCopy,
      last.shards[1]!.bytes.length,
      'the cut-off sync still lacks one shard of the last file'
    )

    // The mirror restarts (a new process would be a new host over the same stores).
    await mirror.host.stop()
    const restarted = await started(mirrorParts)
    await restarted.host.dial(home.host.getMultiaddrs()[0]!)
    await storeFile(home.parts, user, last)
    const resumed = await restarted.host.services.mirror.sync(user.publicKey)
    assert.equal(resumed.seq, 1)
    assert.equal(resumed.filesChecked, 1, 'the three files copied before the cut are not asked again')
    assert.equal(resumed.copied.manifests, 0, 'the last manifest was stored before the cut')
    assert.equal(resumed.copied.shards, 1, 'only the missing shard moves')
  })

  it('copies shards larger than a stream’s 4 MiB write buffer (one answer frame each)', async () => {
    const user = await generateSigningKey()
    const home = await started()
    const mirror = await started()
    await mirror.host.dial(home.host.getMultiaddrs()[0]!)
    // One 12 MiB slice, k = 2: two shards of 6 MiB to copy.
    const file = await userFile(user, 1, 12 * 1024 * 1024)
    await storeFile(home.parts, user, file)
    await publishRoot(home.host, home.parts, user, [file])
    const report = await mirror.host.services.mirror.addMirror(user.publicKey, home.host.peerId)
    assert.equal(report.copied.shards, 2)
    for (const s of file.shards.slice(0, 2)) {
      const held = await mirror.parts.content.shards.get(s.id)
      assert.ok(
        held !== undefined && Buffer.from(held).equals(Buffer.from(s.bytes)),
        'the shard arrived whole'
      )
    }
  })

  it('tries a failed sync again after retryMs, not the interval', async () => {
    const user = await generateSigningKey()
    const home = await started()
    // The interval is far beyond the test: only the retry timer can bring the sync about.
    const mirror = await started(nodeParts(), { intervalMs: 3_600_000, retryMs: 200 })
    await mirror.host.dial(home.host.getMultiaddrs()[0]!)
    const file = await userFile(user, 1)
    await storeFile(home.parts, user, { ...file, shards: file.shards.slice(0, 1) })
    await publishRoot(home.host, home.parts, user, [file])
    await assert.rejects(mirror.host.services.mirror.addMirror(user.publicKey, home.host.peerId), {
      name: 'IncompleteCopyError'
    })
    // The home gets the rest; nobody calls sync: the retry after the error does.
    await storeFile(home.parts, user, file)
    const synced = async () => mirror.host.services.mirror.status()[0]?.seq === 1
    for (let i = 0; i < 200 && !(await synced()); i++) await new Promise((r) => setTimeout(r, 100))
    const status = mirror.host.services.mirror.status()[0]!
    assert.equal(status.seq, 1, `retried and synced: ${JSON.stringify(status)}`)
    assert.equal(status.lastError, undefined)
  })

  it('refuses a replayed older root and home record from a peer (no rollback)', async () => {
    const user = await generateSigningKey()
    const home = await started()
    const mirror = await started()
    await mirror.host.dial(home.host.getMultiaddrs()[0]!)
    const file = await userFile(user, 1)
    await storeFile(home.parts, user, file)
    await publishRoot(home.host, home.parts, user, [file])
    const oldRoot = (await home.host.services.mirror.records.root(user.publicKey))!.envelope
    await publishRoot(home.host, home.parts, user, [file])
    await mirror.host.services.mirror.addMirror(user.publicKey, home.host.peerId)
    await assert.rejects(mirror.host.services.mirror.records.offerRoot(oldRoot), { name: 'StaleRecordError' })
    assert.equal((await mirror.host.services.mirror.records.root(user.publicKey))?.record.seq, 2)
  })
})
