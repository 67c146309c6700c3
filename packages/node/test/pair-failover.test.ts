// Pairs across real processes (TCP on 127.0.0.1): SIGKILL one node of a pair and its survivor
// fails it over after pairFailureTimeout (witnessed by the others), pairs with a free node at a
// higher epoch and migrates every shard it holds, so each is on two live nodes again; the killed
// node, restarted, drops its old pair and pairs anew above its old epoch. A partner stopped
// (SIGSTOP) for 2 s now and then is never failed over.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { waitFor } from './network/devnet.ts'

const script = fileURLToPath(new URL('./fixtures/pair-child.ts', import.meta.url))
// Short timeouts so the test runs in seconds; the defaults are 1 s / 3 s / 30 s.
const options = {
  heartbeatInterval: 200,
  pairSuspectAfter: 1000,
  pairFailureTimeout: 5000,
  acceptablePause: 500,
  formationBackoff: 200
}

/** One JSON line of the fixture. */
interface Line {
  id?: number
  error?: string
  ready?: boolean
  peerId?: string
  address?: string
  loaded?: { partner?: string; epoch: number }
  pair?: { partner?: string; epoch: number; previous?: string }
  unpair?: { partner: string; epoch: number; reason: string }
  task?: { kind: string; state: string; params: { partner: string; epoch: number } }
  put?: { fileId: string; state: string; error?: string }
}

interface Child {
  name: string
  dir: string
  proc: ChildProcess
  peerId: string
  address: string
  lines: Line[]
  partner?: string
  epoch: number
  alive: boolean
}

let root: string
const children: Child[] = []
let nextId = 1

async function start(name: string): Promise<Child> {
  const dir = join(root, name)
  const proc = spawn(process.execPath, ['--conditions=@defs/source', script, dir, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const child = { name, dir, proc, lines: [], epoch: 0, alive: true } as unknown as Child
  proc.on('exit', () => {
    child.alive = false
  })
  const ready = new Promise<void>((resolve, reject) => {
    proc.on('exit', (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready`))
    )
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line
      child.lines.push(line)
      if (line.ready) {
        Object.assign(child, { peerId: line.peerId, address: line.address })
        child.partner = line.loaded?.partner
        child.epoch = line.loaded?.epoch ?? 0
        resolve()
      }
      if (line.pair) Object.assign(child, { partner: line.pair.partner, epoch: line.pair.epoch })
      if (line.unpair) child.partner = undefined
    })
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  await ready.finally(() => clearTimeout(timer))
  children.push(child)
  return child
}

/** Sends a command and waits (30 s at most) for its answer line. */
async function command(child: Child, cmd: object, ms = 30_000): Promise<Line> {
  const id = nextId++
  child.proc.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`)
  const answer = (): Line | undefined => child.lines.find((l) => l.id === id)
  await waitFor(() => answer() !== undefined, `answer ${id} from ${child.name}`, ms)
  const line = answer()!
  if (line.error !== undefined) throw new Error(`${child.name}: ${line.error}`)
  return line
}

/** Every live child connected to and trusting every other one. */
async function mesh(): Promise<void> {
  const live = children.filter((c) => c.alive)
  for (const a of live) {
    for (const b of live) {
      if (a === b) continue
      await command(a, { trust: b.peerId })
      await command(a, { connect: b.address })
    }
  }
}

const byPeer = (id: string | undefined) => children.find((c) => c.alive && c.peerId === id)
const mutual = (c: Child) => c.partner !== undefined && byPeer(c.partner)?.partner === c.peerId
const shardsOf = async (c: Child, fileId: string) =>
  await readdir(join(c.dir, 'shards', fileId)).catch(() => [] as string[])

describe('pair failover across processes', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'defs-pair-'))
    for (const name of ['n0', 'n1', 'n2', 'n3', 'n4']) await start(name)
    await mesh()
    // five nodes: two pairs and one left over
    await waitFor(() => children.filter(mutual).length === 4, 'two pairs', 30_000)
  })
  after(async () => {
    for (const c of children) c.proc.kill('SIGKILL')
    await rm(root, { recursive: true, force: true })
  })

  it('after a SIGKILL the survivor re-pairs at a higher epoch and every shard it held is on two live nodes', async () => {
    const uploader = children.find(mutual)!
    const source = join(root, 'upload.bin')
    await writeFile(source, randomBytes(4 * 1024 * 1024))
    const { put } = await command(uploader, { put: source }, 60_000)
    assert.ok(put !== undefined)
    assert.equal(put.state, 'done', put.error)
    const victim = byPeer(uploader.partner)!
    const oldEpoch = uploader.epoch
    const free = children.find((c) => c.alive && c.partner === undefined)!
    const held = await shardsOf(uploader, put.fileId)
    const lost = await shardsOf(victim, put.fileId)
    assert.deepEqual([...held].sort(), [...lost].sort(), 'the pair mirrored each other before the kill')
    assert.ok(held.length > 0)

    victim.proc.kill('SIGKILL')
    await waitFor(() => !victim.alive, 'the victim is gone')
    await waitFor(() => uploader.partner === free.peerId && mutual(uploader), 'the survivor re-pairs', 40_000)
    assert.ok(uploader.epoch > oldEpoch, `epoch grew: ${oldEpoch} -> ${uploader.epoch}`)
    assert.ok(uploader.lines.some((l) => l.unpair?.partner === victim.peerId && l.unpair.reason === 'failed'))
    await waitFor(
      () => uploader.lines.some((l) => l.task?.state === 'done' && l.task.params.epoch === uploader.epoch),
      'the migration is done',
      60_000
    )
    const copies = new Map<string, number>()
    for (const c of children.filter((x) => x.alive))
      for (const s of await shardsOf(c, put.fileId)) copies.set(s, (copies.get(s) ?? 0) + 1)
    for (const s of lost)
      assert.ok((copies.get(s) ?? 0) >= 2, `shard ${s} of the killed node is on 2 live nodes`)
    const onFree = new Set(await shardsOf(free, put.fileId))
    for (const s of held) assert.ok(onFree.has(s), `shard ${s} went to the new partner`)

    // the killed node comes back with its old pair, sees the higher epoch, and pairs anew
    const back = await start(victim.name)
    assert.equal(back.epoch, oldEpoch)
    const spare = await start('n5')
    await mesh()
    await waitFor(
      () => back.partner === spare.peerId && mutual(back),
      'the restarted node pairs anew',
      40_000
    )
    assert.ok(back.epoch > oldEpoch, `new epoch ${back.epoch} above the old ${oldEpoch}`)
    assert.ok(back.lines.some((l) => l.unpair?.reason === 'replaced'))
  })

  it('a partner stopped for 2 s, ten times, is never failed over', async () => {
    const a = children.find((c) => mutual(c))!
    const b = byPeer(a.partner)!
    const before = a.lines.length
    const bBefore = b.lines.length
    for (let i = 0; i < 10; i++) {
      b.proc.kill('SIGSTOP')
      await new Promise((r) => setTimeout(r, 2000))
      b.proc.kill('SIGCONT')
      await new Promise((r) => setTimeout(r, 1000))
    }
    const since = [...a.lines.slice(before), ...b.lines.slice(bBefore)]
    assert.ok(!since.some((l) => l.unpair !== undefined), 'no unpair')
    assert.equal(a.partner, b.peerId)
    assert.ok(!a.lines.slice(before).some((l) => l.task !== undefined), 'no migration')
  })
})
