import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { encodePublicKey, generateSigningKey, toHex } from '@defs/crypto'
import type { PutResult } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const MiB = 1024 * 1024

describe('a 5-node network on 127.0.0.1', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(5, { minSliceSize: 64 * 1024, maxSliceSize: 1 * MiB, bufferSize: 8 * MiB })
  })
  after(async () => {
    await net?.stop()
  })

  async function roundTrip(
    size: number,
    options: Parameters<TestNetwork['nodes'][0]['files']['put']>[1]
  ): Promise<PutResult> {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(size))
    const src = join(net.root, `src-${size}-${options?.mode}`)
    await writeFile(src, data)
    const put = await uploader!.files.put(src, options)
    assert.equal(put.size, size)
    const out = join(net.root, `out-${size}-${options?.mode}`)
    const got = await uploader!.files.get(put.fileId, out)
    assert.equal(got.bytes, size)
    assert.equal(sha(await readFile(out)), sha(data))
    return put
  }

  for (const size of [0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 3 * MiB + 17]) {
    it(`rs-proportion 3+2 round-trips ${size} bytes`, async () => {
      const put = await roundTrip(size, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
      assert.equal(put.dataShards, 3)
      for (const slice of put.placement) {
        assert.equal(slice.shards.length, 5)
        assert.equal(new Set(slice.shards.map((s) => s.peerId)).size, 5, 'one shard per peer')
      }
    })
  }

  // Every mode at the edges of a slice (maxSliceSize is 1 MiB here); `file` mode keeps a file in
  // one slice, so it stops at maxSliceSize.
  for (const mode of ['file', 'slice', 'rs-size', 'auto'] as const) {
    for (const size of [0, 1, MiB - 1, MiB, MiB + 1]) {
      if (mode === 'file' && size > MiB) continue
      it(`${mode} mode round-trips ${size} bytes`, async () => {
        const put = await roundTrip(size, { mode, parityShards: 2, dataShards: 2 })
        if (mode !== 'auto') assert.equal(put.mode, mode)
        assert.ok(put.placement.length >= 1)
      })
    }
  }

  for (const mode of ['slice', 'rs-size', 'rs-proportion', 'auto'] as const) {
    it(`${mode} mode round-trips 100 MiB`, async () => {
      const put = await roundTrip(100 * MiB, { mode, parityShards: 2, dataShards: 3 })
      assert.ok(put.placement.length >= 100)
    })
  }

  it('reads a byte range, fetching only the slices it needs', async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(4 * MiB))
    const src = join(net.root, 'range-src')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    const out = join(net.root, 'range-out')
    const got = await uploader!.files.get(put.fileId, out, { range: { offset: MiB + 5, length: 1000 } })
    assert.deepEqual(new Uint8Array(await readFile(out)), data.subarray(MiB + 5, MiB + 1005))
    assert.equal(got.slicesRead, 1)
  })

  it('streams with read(): chunks stay valid while the consumer holds them', async () => {
    const [uploader] = net.nodes
    const data = new Uint8Array(randomBytes(5 * MiB + 7))
    const src = join(net.root, 'stream-src')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    // Keep every chunk (as http's write queue does) and look at them only at the end.
    const chunks: Uint8Array[] = []
    for await (const chunk of uploader!.files.read(put.fileId)) chunks.push(chunk)
    assert.ok(chunks.length >= 5)
    assert.equal(sha(Buffer.concat(chunks)), sha(data))
  })

  it('another node reads the file with only its capability, finding it by broadcast', async () => {
    const [uploader, , , , reader] = net.nodes
    const data = new Uint8Array(randomBytes(2 * MiB + 11))
    const src = join(net.root, 'shared-src')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    await assert.rejects(reader!.files.get(put.fileId, join(net.root, 'shared-nokey')), {
      name: 'FileKeyMissingError'
    })
    const out = join(net.root, 'shared-out')
    const got = await reader!.files.get(put.capability, out)
    assert.equal(got.bytes, data.length)
    assert.equal(sha(await readFile(out)), sha(data))
    // A third node that never saw the file: stat finds the manifest over the network too.
    const info = await net.nodes[3]!.files.stat(put.capability)
    assert.deepEqual(
      [info.fileId, info.size, info.name, info.readable],
      [put.fileId, data.length, 'shared-src', true]
    )
    await assert.rejects(net.nodes[3]!.files.stat('f'.repeat(32)), { name: 'FileNotFoundError' })
  })

  it('rm deletes every shard from its holders, signed by the owner', async () => {
    const [uploader] = net.nodes
    const src = join(net.root, 'rm-src')
    await writeFile(src, randomBytes(300_000))
    const before = await Promise.all(net.nodes.map(async (n) => (await n.status()).storedShards))
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    const during = await Promise.all(net.nodes.map(async (n) => (await n.status()).storedShards))
    assert.equal(during.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0), 5)
    const removed = await uploader!.files.rm(put.fileId)
    assert.equal(removed.shardsDeleted, 5)
    const after = await Promise.all(net.nodes.map(async (n) => (await n.status()).storedShards))
    assert.deepEqual(after, before)
    await assert.rejects(uploader!.files.get(put.fileId, join(net.root, 'rm-out')), {
      name: 'FileNotFoundError',
      message: /was deleted/
    })
    assert.ok(!(await uploader!.files.list()).some((f) => f.fileId === put.fileId))
  })

  it('a download pauses at a slice boundary and resumes into the same temp file', async () => {
    const [uploader, , reader] = net.nodes
    const data = new Uint8Array(randomBytes(8 * MiB + 3))
    const src = join(net.root, 'pause-src')
    await writeFile(src, data)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    assert.ok(put.placement.length >= 8)
    const out = join(net.root, 'pause-out')
    let paused: Promise<unknown> | undefined
    const getting = reader!.files.get(put.capability, out, {
      onProgress: (p) => {
        if (p.slicesDone >= 2 && paused === undefined) {
          const task = reader!.tasks.list().find((t) => t.kind === 'download' && t.state === 'running')!
          paused = reader!.tasks.pause(task.id)
        }
      }
    })
    await assert.rejects(getting, { name: 'TaskPausedError' })
    const task = reader!.tasks.list().find((t) => t.kind === 'download' && t.state === 'paused')!
    const cp = task.checkpoint as { partial: string; slicesDone: number; bytesWritten: number }
    assert.ok(
      cp.slicesDone >= 2 && cp.slicesDone < put.placement.length,
      `paused after ${cp.slicesDone} slices`
    )
    assert.equal((await readFile(cp.partial)).length, cp.bytesWritten)
    await assert.rejects(readFile(out), { code: 'ENOENT' })
    await reader!.tasks.resume(task.id)
    await waitFor(() => reader!.tasks.get(task.id).state === 'done', 'the resumed download', 30_000)
    assert.equal(sha(await readFile(out)), sha(data))
    await assert.rejects(readFile(cp.partial), { code: 'ENOENT' })
  })

  it('a cancelled upload deletes the shards it placed from every holder', async () => {
    const [uploader] = net.nodes
    const src = join(net.root, 'cancel-src')
    await writeFile(src, randomBytes(12 * MiB))
    const count = async (): Promise<number> =>
      (await Promise.all(net.nodes.map(async (n) => (await n.status()).storedShards))).reduce(
        (a, b) => a + b,
        0
      )
    const before = await count()
    let cancelling: Promise<unknown> | undefined
    const putting = uploader!.files.put(src, {
      mode: 'rs-proportion',
      dataShards: 3,
      parityShards: 2,
      onProgress: (p) => {
        if (p.slicesDone >= 2 && cancelling === undefined) {
          const task = uploader!.tasks.list().find((t) => t.kind === 'upload' && t.state === 'running')!
          cancelling = uploader!.tasks.cancel(task.id)
        }
      }
    })
    await assert.rejects(putting, { name: 'TaskCancelledError', message: /was cancelled/ })
    const task = (await cancelling) as { state: string; error?: string; checkpoint: { slices: unknown[] } }
    assert.equal(task.state, 'cancelled')
    assert.equal(task.error, undefined)
    assert.ok(task.checkpoint.slices.length >= 2)
    assert.equal(await count(), before, 'every placed shard is deleted again')
    assert.ok(!(await uploader!.files.list()).some((f) => f.size === 12 * MiB))
  })

  it("stores a file owned by another key (a user's), and a cancel deletes its shards with that key", async () => {
    const [uploader] = net.nodes
    const owner = await generateSigningKey('ed25519')
    const small = join(net.root, 'owned')
    const data = randomBytes(300_000)
    await writeFile(small, data)
    const put = await uploader!.files.put(small, {
      mode: 'rs-proportion',
      dataShards: 3,
      parityShards: 2,
      owner
    })
    // The capability names the owner whose manifest counts: the user's key, not the node's.
    assert.ok(put.capability.endsWith(`:${toHex(encodePublicKey(owner.publicKey))}`))
    const out = join(net.root, 'owned-out')
    await net.nodes[3]!.files.get(put.capability, out)
    assert.equal(sha(await readFile(out)), sha(data))

    // Paused in this process, it resumes: the owner's key is kept until the task ends.
    const big = join(net.root, 'owned-pause')
    await writeFile(big, randomBytes(6 * MiB))
    let pausing: Promise<unknown> | undefined
    let pausedId = ''
    const pausedPut = uploader!.files.put(big, {
      mode: 'rs-proportion',
      dataShards: 3,
      parityShards: 2,
      owner,
      onProgress: (p) => {
        if (p.slicesDone >= 1 && pausing === undefined) {
          pausedId = uploader!.tasks.list().find((t) => t.kind === 'upload' && t.state === 'running')!.id
          pausing = uploader!.tasks.pause(pausedId)
        }
      }
    })
    await assert.rejects(pausedPut, { name: 'TaskPausedError' })
    await pausing
    await uploader!.tasks.resume(pausedId)
    await waitFor(() => uploader!.tasks.get(pausedId).state !== 'running', 'the resumed upload', 30_000)
    const resumed = uploader!.tasks.get(pausedId)
    assert.equal(resumed.state, 'done', resumed.error)

    const src = join(net.root, 'owned-cancel')
    await writeFile(src, randomBytes(12 * MiB))
    const count = async (): Promise<number> =>
      (await Promise.all(net.nodes.map(async (n) => (await n.status()).storedShards))).reduce(
        (a, b) => a + b,
        0
      )
    const before = await count()
    let cancelling: Promise<unknown> | undefined
    const putting = uploader!.files.put(src, {
      mode: 'rs-proportion',
      dataShards: 3,
      parityShards: 2,
      owner,
      onProgress: (p) => {
        if (p.slicesDone >= 2 && cancelling === undefined) {
          const task = uploader!.tasks.list().find((t) => t.kind === 'upload' && t.state === 'running')!
          cancelling = uploader!.tasks.cancel(task.id)
        }
      }
    })
    await assert.rejects(putting, { name: 'TaskCancelledError' })
    assert.equal(((await cancelling) as { state: string }).state, 'cancelled')
    assert.equal(
      await count(),
      before,
      'every placed shard is deleted again, the deletes signed by the owner'
    )
  })

  it('refuses a code wider than the network, naming both numbers', async () => {
    const [uploader] = net.nodes
    const src = join(net.root, 'wide')
    await writeFile(src, randomBytes(100_000))
    await assert.rejects(
      uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 10, parityShards: 4 }),
      (err: Error) => {
        assert.equal(err.name, 'NotEnoughPeersError')
        assert.match(err.message, /10\+4 needs 14 peers, the network has 5/)
        return true
      }
    )
  })

  it('leaves no partial file when a read fails', async () => {
    const [uploader] = net.nodes
    const out = join(net.root, 'missing-out')
    await assert.rejects(uploader!.files.get('0'.repeat(32), out), { name: 'FileNotFoundError' })
    assert.ok(!(await readdir(net.root)).some((n) => n.includes('missing-out')))
  })
})
