// A node SIGKILLed 20 times while it uploads and downloads, restarted each time from its
// directory: no task is lost or run twice, no torn shard is served, and every acknowledged
// upload and download reads back identical (the ledger is what the killed runs printed).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { formatCapability } from '@defs/segment'
import { createNode, type NodeComponents, type TaskRecord } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/churn-child.ts', import.meta.url))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const ROUNDS = 20

type Seen = Pick<TaskRecord, 'id' | 'kind' | 'state' | 'updated'> & {
  params: { path?: string; fileIdHex?: string; ref?: string; destination?: string }
}

/** A tiny seeded generator, so a failing run names the kill times it used. */
function delays(seed: number): () => number {
  let x = seed
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return 100 + (x % 1400)
  }
}

/** When a run is killed: `delayMs` after it is ready, or after its first task runs (so a loaded
 * machine, where tasks start late, still sees kills in the middle of work). */
type KillAt = { after: 'ready' | 'running'; delayMs: number }

/** One run of the fixture, SIGKILLed as `kill` says (or at 30 s); its task lines. */
async function killedRun(args: string[], kill: KillAt, onReady: (peerId: string) => Promise<void>) {
  const proc = spawn(process.execPath, ['--conditions=@defs/source', child, ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_c, signal) => resolve(signal))
  )
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  const tasks: Seen[] = []
  let armed = false
  const arm = (): void => {
    if (armed) return
    armed = true
    setTimeout(() => proc.kill('SIGKILL'), kill.delayMs).unref()
  }
  for await (const line of createInterface({ input: proc.stdout! })) {
    const event = JSON.parse(line) as { ready?: boolean; peerId?: string; task?: Seen }
    if (event.task !== undefined) tasks.push(event.task)
    if (event.task?.state === 'running' && kill.after === 'running') arm()
    if (event.ready) {
      await onReady(event.peerId!)
      if (kill.after === 'ready') arm()
    }
  }
  clearTimeout(deadline)
  assert.equal(await exited, 'SIGKILL', 'the run was killed')
  return tasks
}

describe('a node SIGKILLed during mixed work', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(3)
  })
  after(async () => {
    await net?.stop()
  })

  it(`${ROUNDS} times loses no task, runs none twice, serves no torn shard, and the ledger reads back`, async () => {
    const seed = Date.now() % 100_000
    const nextDelay = delays(seed)
    const dir = join(net.root, 'churn')
    const bootstrap = JSON.stringify(net.nodes.map((n) => n.addresses()[0]))
    const sources = new Map<string, string>() // path -> sha256
    for (let i = 0; i < ROUNDS; i++) {
      const bytes = randomBytes(200_000 + ((i * 97_003) % 700_000))
      const path = join(net.root, `src-${i}`)
      await writeFile(path, bytes)
      sources.set(path, sha(bytes))
    }
    const lastSeen = new Map<string, Seen>()
    const doneTimes = new Map<string, number>()
    let trusted = false
    let killedMidTask = 0
    for (let round = 0; round < ROUNDS; round++) {
      const uploaded = [...lastSeen.values()].filter((t) => t.kind === 'upload' && t.state === 'done')
      const download = uploaded.length > 0 ? uploaded[round % uploaded.length]!.params.fileIdHex! : '-'
      const args = [dir, bootstrap, join(net.root, `src-${round}`), download, join(net.root, `dl-${round}`)]
      // Odd rounds kill within 100 ms of a task starting, even ones anywhere after ready.
      const delayMs = nextDelay()
      const kill: KillAt =
        round % 2 === 1 ? { after: 'running', delayMs: delayMs % 100 } : { after: 'ready', delayMs }
      const lines = await killedRun(args, kill, async (peerId) => {
        if (trusted) return
        for (const n of net.nodes) await n.peers.trust(peerId)
        trusted = true
      })
      const states = new Map<string, string>()
      for (const t of lines) {
        lastSeen.set(t.id, t)
        states.set(t.id, t.state)
        if (t.state === 'done') doneTimes.set(t.id, (doneTimes.get(t.id) ?? 0) + 1)
      }
      if ([...states.values()].includes('running')) killedMidTask++
    }
    // The kills landed in the middle of work, not only between tasks.
    assert.ok(
      killedMidTask >= ROUNDS / 4,
      `${killedMidTask} of ${ROUNDS} kills hit a running task (seed ${seed})`
    )
    for (const [id, times] of doneTimes)
      assert.equal(times, 1, `task ${id} ran to done ${times} times (seed ${seed})`)

    let c: NodeComponents | undefined
    const node = await createNode({
      dataDir: dir,
      bootstrap: JSON.parse(bootstrap) as string[],
      minSliceSize: 256 * 1024,
      maxSliceSize: 256 * 1024,
      bufferSize: 2 * 1024 * 1024,
      workerNum: 2,
      services: {
        // A service sees the node's parts: the test reads its shard store and keystore through it.
        probe: {
          create: (components) => {
            c = components
            return {}
          }
        }
      }
    })
    try {
      for (const n of net.nodes) await node.peers.connect(n.addresses()[0]!)
      const ended = (t: TaskRecord) => t.state === 'done' || t.state === 'failed' || t.state === 'cancelled'
      await waitFor(() => node.tasks.list().every(ended), 'every resumed task to end', 120_000)
      const tasks = node.tasks.list()
      // No task lost: every one a run printed is here, and every one here is done.
      for (const id of lastSeen.keys())
        assert.ok(
          tasks.some((t) => t.id === id),
          `task ${id} lost (seed ${seed})`
        )
      for (const t of tasks) assert.equal(t.state, 'done', `${t.kind} ${t.id}: ${t.state} ${t.error ?? ''}`)
      // None run twice: a task done in a killed run was not run again after it (its record unchanged).
      for (const t of tasks) {
        const before = lastSeen.get(t.id)
        if (before?.state === 'done') assert.equal(t.updated, before.updated, `task ${t.id} ran again`)
      }
      const uploads = tasks.filter((t) => t.kind === 'upload')
      // A kill before a put recorded its task loses nothing acknowledged (no task, no file id was
      // given out); most rounds must still have recorded theirs for the test to mean something.
      assert.ok(uploads.length >= ROUNDS / 2, `${uploads.length} uploads for ${ROUNDS} rounds (seed ${seed})`)

      // No torn shard: every shard this node holds reads whole against its header's checksum.
      for (const id of c!.shards.ids()) {
        for await (const _ of c!.shards.read(Buffer.from(id, 'hex'), undefined, 1 << 20)) {
          // drained: a torn body throws ShardCorruptError here
        }
      }
      // The ledger: every upload reads back identical from another node, with its capability.
      const shaOfFile = new Map<string, string>()
      for (const t of uploads) {
        const p = t.params as { path: string; fileIdHex: string }
        const key = await c!.keystore.get(p.fileIdHex)
        const capability = formatCapability(Buffer.from(p.fileIdHex, 'hex'), key!, c!.userKey.publicKey)
        const out = join(net.root, `back-${p.fileIdHex}`)
        await net.nodes[0]!.files.get(capability, out)
        assert.equal(sha(await readFile(out)), sources.get(p.path), `upload of ${p.path}`)
        shaOfFile.set(p.fileIdHex, sources.get(p.path)!)
      }
      for (const t of tasks.filter((x) => x.kind === 'download')) {
        const p = t.params as { ref: string; destination: string }
        assert.equal(sha(await readFile(p.destination)), shaOfFile.get(p.ref), `download to ${p.destination}`)
      }
    } finally {
      await node.stop()
    }
  })
})
