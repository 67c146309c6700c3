// Maintenance mode on real nodes: switched on under load it pauses exactly the background work and
// records it, refuses new work while reads go on, and switched off resumes exactly that; calls
// are serialised; a SIGKILL during `on`, while on, or during `off` restarts in maintenance, and
// the same command finishes the job. Every upload is read back from another node (the ledger).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { fromHex } from '@defs/crypto'
import { formatCapability } from '@defs/segment'
import { createNode, type DefsNode, type NodeComponents, type TaskRecord } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/maintenance-child.ts', import.meta.url))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const small = { minSliceSize: 128 * 1024, maxSliceSize: 128 * 1024, bufferSize: 2 * 1024 * 1024 }
type Parts = { parts: NodeComponents }

/** Every upload task of `node` is done, once each; every file reads back identical from `reader`. */
async function ledgerClean(
  node: DefsNode<Parts>,
  reader: DefsNode,
  sources: Map<string, string>,
  dir: string
) {
  await waitFor(() => node.tasks.list().every((t) => t.state === 'done'), 'every task done', 120_000).catch(
    (err: Error) => {
      const states = node.tasks.list().map((t) => `${t.id} ${t.kind} ${t.state} ${t.error ?? ''}`)
      throw new Error(`${err.message}: ${states.join('; ')}`)
    }
  )
  const uploads = node.tasks.list().filter((t) => t.kind === 'upload')
  for (const task of uploads) {
    const { fileIdHex, path } = task.params as { fileIdHex: string; path: string }
    const key = await node.services.parts.keystore.get(fileIdHex)
    assert.ok(key !== undefined, `key of ${fileIdHex}`)
    const out = join(dir, `ledger-${fileIdHex}`)
    await reader.files.get(
      formatCapability(fromHex(fileIdHex), key, node.services.parts.userKey.publicKey),
      out
    )
    assert.equal(sha(await readFile(out)), sources.get(path), `file ${fileIdHex} from ${path}`)
  }
  return uploads
}

async function sourceFiles(dir: string, n: number, prefix: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>()
  for (let i = 0; i < n; i++) {
    const bytes = randomBytes(200_000 + ((i * 97_331) % 600_000))
    const path = join(dir, `${prefix}-${i}`)
    await writeFile(path, bytes)
    sources.set(path, sha(bytes))
  }
  return sources
}

describe('maintenance mode', () => {
  let net: TestNetwork
  let node: DefsNode<Parts>
  before(async () => {
    net = await startNetwork(3, small)
    node = await createNode({
      dataDir: join(net.root, 'maintained'),
      workerNum: 4,
      ...small,
      services: { parts: { create: (c) => c } }
    })
    for (const n of net.nodes) await node.peers.connect(n.addresses()[0]!)
    await waitFor(async () => (await node.status()).peers === 3, 'mesh')
  })
  after(async () => {
    await node?.stop()
    await net?.stop()
  })

  it('pauses exactly the background work under load, refuses new work, reads on, and resumes it', async () => {
    const reads = await sourceFiles(net.root, 10, 'read')
    const readable: { capability: string; path: string }[] = []
    for (const path of reads.keys())
      readable.push({ path, capability: (await node.files.put(path)).capability })
    const sources = await sourceFiles(net.root, 40, 'load')
    const done = new Map<string, number>()
    node.events.addEventListener('task', (e) => {
      if (e.detail.state === 'done') done.set(e.detail.id, (done.get(e.detail.id) ?? 0) + 1)
    })
    // 40 uploads and 10 downloads at once; a put whose task is paused rejects (TaskPausedError),
    // its task goes on after maintenance.
    for (const path of sources.keys())
      node.files.put(path, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 }).catch(() => {})
    await waitFor(
      () =>
        node.tasks
          .list()
          .some((t) => t.kind === 'upload' && t.state === 'running' && t.progress.slicesDone > 0),
      'uploads under way'
    )
    const downloads = readable.map((r, i) => node.files.get(r.capability, join(net.root, `got-${i}`)))
    const phases: string[] = []
    const record = await node.maintenance.on({ onProgress: (p) => phases.push(`${p.state}:${p.phase}`) })
    assert.equal(record.state, 'on')
    assert.deepEqual(phases.slice(0, 2), ['entering:waiting', 'entering:pausing'])
    assert.equal(phases.at(-1), 'on:done')
    const tasks = node.tasks.list()
    const uploads = tasks.filter((t) => t.kind === 'upload')
    assert.equal(uploads.filter((t) => t.state === 'running').length, 0, 'no upload runs in maintenance')
    assert.deepEqual(
      record.paused.map((p) => p.id).sort(),
      uploads
        .filter((t) => t.state === 'paused')
        .map((t) => t.id)
        .sort(),
      'the record names exactly the paused uploads'
    )
    assert.ok(record.paused.length > 0, 'some upload was running when maintenance came')
    // New work and changes are refused; reads go on.
    await assert.rejects(node.files.put([...sources.keys()][0]!), { name: 'UnderMaintenanceError' })
    await assert.rejects(node.tasks.resume(record.paused[0]!.id), { name: 'UnderMaintenanceError' })
    await Promise.all(downloads)
    for (const [i, r] of readable.entries())
      assert.equal(sha(await readFile(join(net.root, `got-${i}`))), reads.get(r.path))
    // Held work stays held.
    const held = snapshot(node.tasks.list())
    await new Promise((r) => setTimeout(r, 600))
    assert.deepEqual(snapshot(node.tasks.list()), held)
    assert.equal((await node.status()).state, 'maintenance')
    // Off: exactly the recorded tasks resume, then everything finishes, each task once.
    const off = await node.maintenance.off()
    assert.equal(off.state, 'off')
    assert.deepEqual(off.restored?.map((p) => p.id).sort(), record.paused.map((p) => p.id).sort())
    const all = new Map([...sources, ...reads])
    const finished = await ledgerClean(node, net.nodes[0]!, all, net.root)
    assert.equal(finished.length, 50)
    for (const t of node.tasks.list()) assert.ok((done.get(t.id) ?? 0) <= 1, `task ${t.id} finished once`)
    const loaded = uploads.filter((t) => sources.has((t.params as { path: string }).path))
    assert.equal(loaded.length, 40)
    for (const t of loaded) assert.equal(done.get(t.id), 1, `upload ${t.id} finished exactly once`)
  })

  it('takes concurrent calls one at a time and ends as the last one says', async () => {
    const results = await Promise.all([
      node.maintenance.on(),
      node.maintenance.on(),
      node.maintenance.off(),
      node.maintenance.on(),
      node.maintenance.off()
    ])
    assert.deepEqual(
      results.map((r) => r.state),
      ['on', 'on', 'off', 'on', 'off']
    )
    assert.equal((await node.maintenance.status()).state, 'off')
    assert.equal((await node.status()).state, 'running')
  })

  for (const [hold, alsoOff, what] of [
    ['pausing', 'no', 'during on'],
    ['on', 'no', 'while on'],
    ['resuming', 'off', 'during off']
  ] as const) {
    it(`comes back in maintenance after a SIGKILL ${what}, and the same command finishes the job`, async () => {
      const dir = join(net.root, `killed-${hold}`)
      const sources = await sourceFiles(net.root, 8, `kill-${hold}`)
      const submitted = await runAndKill(dir, net, [...sources.keys()], hold, alsoOff)
      assert.ok(submitted > 0)
      const again = await createNode({
        dataDir: dir,
        workerNum: 2,
        ...small,
        bootstrap: net.nodes.map((n) => n.addresses()[0]!),
        services: { parts: { create: (c) => c } }
      })
      try {
        for (const n of net.nodes) await again.peers.connect(n.addresses()[0]!)
        assert.equal((await again.status()).state, 'maintenance', 'restarted in maintenance')
        const uploads = again.tasks.list().filter((t) => t.kind === 'upload')
        assert.equal(uploads.length, sources.size, 'no task lost')
        await new Promise((r) => setTimeout(r, 300))
        assert.equal(again.tasks.list().filter((t) => t.state === 'running').length, 0, 'nothing runs yet')
        if (alsoOff === 'off') await again.maintenance.off()
        else {
          assert.equal((await again.maintenance.on()).state, 'on')
          await again.maintenance.off()
        }
        assert.equal((await again.status()).state, 'running')
        await ledgerClean(again, net.nodes[1]!, sources, net.root)
      } finally {
        await again.stop()
      }
    })
  }
})

/** Runs the fixture, SIGKILLs it right after it prints phase `hold`, returns the uploads it had submitted. */
async function runAndKill(dir: string, net: TestNetwork, files: string[], hold: string, alsoOff: string) {
  const bootstrap = JSON.stringify(net.nodes.map((n) => n.addresses()[0]!))
  const proc = spawn(
    process.execPath,
    ['--conditions=@defs/source', child, dir, bootstrap, JSON.stringify(files), hold, alsoOff],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_c, signal) => resolve(signal))
  )
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 120_000)
  let submitted = 0
  for await (const line of createInterface({ input: proc.stdout! })) {
    const e = JSON.parse(line) as { submitted?: string; maintenance?: { phase: string }; on?: boolean }
    if (e.submitted !== undefined) submitted++
    if (e.maintenance?.phase === hold || (hold === 'on' && e.on === true)) {
      proc.kill('SIGKILL')
      break
    }
  }
  clearTimeout(deadline)
  assert.equal(await exited, 'SIGKILL', `the fixture was killed at ${hold}`)
  return submitted
}

function snapshot(tasks: TaskRecord[]): string[] {
  return tasks
    .filter((t) => t.kind === 'upload' && t.state !== 'done')
    .map((t) => `${t.id}:${t.state}:${t.progress.bytesDone}`)
    .sort()
}
