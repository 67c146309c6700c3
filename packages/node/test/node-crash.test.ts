import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createNode, type DefsNode, type TaskRecord } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/upload-child.ts', import.meta.url))
const downloadChild = fileURLToPath(new URL('./fixtures/download-child.ts', import.meta.url))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** The node in `dir` started again and connected to the network. */
async function reopen(net: TestNetwork, dir: string): Promise<DefsNode> {
  const node = await createNode({
    dataDir: dir,
    bootstrap: net.nodes.map((n) => n.addresses()[0]!),
    workerNum: 1
  })
  for (const n of net.nodes) await node.peers.connect(n.addresses()[0]!)
  return node
}

/** The node's task of `kind` once it is done or failed (60 s at most). */
async function taskEnded(node: DefsNode, kind: TaskRecord['kind']): Promise<TaskRecord> {
  let task: TaskRecord | undefined
  await waitFor(
    () => {
      task = node.tasks.list().find((t) => t.kind === kind)
      return task?.state === 'done' || task?.state === 'failed'
    },
    `the resumed ${kind}`,
    60_000
  )
  return task!
}

/**
 * Runs a fixture that prints one JSON line per slice done, SIGKILLs it once `slices` are done, and
 * resolves with the count it had reported; fails if the fixture finished first (it is killed after 60 s anyway).
 */
async function killAfterSlices(script: string, args: string[], slices: number): Promise<number> {
  const proc = spawn(process.execPath, ['--conditions=@defs/source', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_code, signal) => resolve(signal))
  )
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  let killedAt = -1
  for await (const line of createInterface({ input: proc.stdout! })) {
    const event = JSON.parse(line) as { slicesDone?: number; done?: boolean }
    if (event.done) break
    if ((event.slicesDone ?? 0) >= slices) {
      killedAt = event.slicesDone!
      proc.kill('SIGKILL')
      break
    }
  }
  clearTimeout(deadline)
  assert.equal(await exited, 'SIGKILL', 'the fixture was killed, not finished')
  return killedAt
}

describe('an uploading process killed with SIGKILL', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(3)
  })
  after(async () => {
    await net?.stop()
  })

  it('resumes the upload after a restart and the file reads back identical', async () => {
    const data = new Uint8Array(randomBytes(8 * 1024 * 1024))
    const src = join(net.root, 'crash-src')
    await writeFile(src, data)
    const dir = join(net.root, 'uploader')
    const bootstrap = JSON.stringify(net.nodes.map((n) => n.addresses()[0]))
    const killedAt = await killAfterSlices(child, [dir, src, bootstrap], 5)
    assert.ok(killedAt >= 5 && killedAt < 32, `killed after ${killedAt} of 32 slices`)

    let node: DefsNode | undefined
    try {
      node = await reopen(net, dir)
      const upload = await taskEnded(node, 'upload')
      assert.equal(upload.state, 'done', upload.error)
      assert.equal((upload.checkpoint as { slices: unknown[] }).slices.length, 32)
      // Resumed, not restarted: a restart would seal the first slices again under new nonces and
      // store 3 more shards for each (15 or more here). Only the slices in flight at the kill (two at
      // most) may be stored twice.
      let stored = (await node.status()).storedShards
      for (const n of net.nodes) stored += (await n.status()).storedShards
      assert.ok(stored >= 96 && stored <= 102, `${stored} shards stored for 32 slices of 3`)
      const fileId = (upload.params as { fileIdHex: string }).fileIdHex
      const out = join(net.root, 'crash-out')
      await node.files.get(fileId, out)
      assert.equal(sha(await readFile(out)), sha(data))
    } finally {
      await node?.stop()
    }
  })
})

describe('a downloading process killed with SIGKILL', () => {
  let net: TestNetwork
  before(async () => {
    // Small slices, so the kill lands with many of them still to go.
    net = await startNetwork(3, {
      minSliceSize: 256 * 1024,
      maxSliceSize: 256 * 1024,
      bufferSize: 2 * 1024 * 1024
    })
  })
  after(async () => {
    await net?.stop()
  })

  it('leaves no output under the real name, then resumes from its checkpoint and writes the file', async () => {
    const data = new Uint8Array(randomBytes(8 * 1024 * 1024))
    const src = join(net.root, 'download-src')
    await writeFile(src, data)
    const put = await net.nodes[0]!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    assert.equal(put.placement.length, 32)
    const dir = join(net.root, 'downloader')
    const outDir = join(net.root, 'download-out')
    const out = join(outDir, 'file.bin')
    const bootstrap = JSON.stringify(net.nodes.map((n) => n.addresses()[0]))
    const killedAt = await killAfterSlices(downloadChild, [dir, put.capability, out, bootstrap], 5)
    assert.ok(killedAt >= 5 && killedAt < 32, `killed after ${killedAt} of 32 slices`)
    // Nothing under the real name; the work so far is in one hidden temp file beside it.
    await assert.rejects(stat(out), { code: 'ENOENT' })
    const partials = (await readdir(outDir)).filter((f) => f.endsWith('.partial'))
    assert.equal(partials.length, 1, `temp files: ${partials.join(', ')}`)

    let node: DefsNode | undefined
    try {
      node = await reopen(net, dir)
      // Resumed, not restarted: the persisted checkpoint holds the slices written before the kill
      // (progress is reported just before each checkpoint is saved, so one may be missing).
      const checkpoint = node.tasks.list().find((t) => t.kind === 'download')?.checkpoint
      const resumedFrom = (checkpoint as { slicesDone: number } | undefined)?.slicesDone ?? 0
      assert.ok(resumedFrom >= killedAt - 1, `checkpoint at ${resumedFrom} slices, killed after ${killedAt}`)
      const download = await taskEnded(node, 'download')
      assert.equal(download.state, 'done', download.error)
      assert.equal(sha(await readFile(out)), sha(data))
      assert.deepEqual(
        (await readdir(outDir)).filter((f) => f.endsWith('.partial')),
        [],
        'temp file renamed'
      )
    } finally {
      await node?.stop()
    }
  })
})
