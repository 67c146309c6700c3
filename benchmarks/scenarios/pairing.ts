// `npm run bench -- pairing [--size 256MiB] [--json]`
// Time from SIGKILL to full redundancy for a pair: five paired nodes as separate processes on
// 127.0.0.1 (two pairs and a free node), a file uploaded through a paired node (2+1, every shard
// mirrored to the partner), then that node's partner SIGKILLed. Reported separately: detection
// (kill to the survivor failing its partner over: pairFailureTimeout plus the witnesses'
// answers), selection (to the new pair, both signatures), migration (to the migrate task done,
// with its throughput over the bytes the survivor held), beside the upload's own rate on the same
// network and the raw ceiling: the held bytes as shard puts between two bare hosts on the same
// loopback. Short timeouts (heartbeat 200 ms, failover after 5 s; the defaults are 1 s and 30 s),
// said in the output. Checked first: every shard the survivor held is on the new partner (and
// every raw byte arrived), or no row is printed.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createHost } from '@defs/net'
import { label, MiB, sizesFrom, writeRandomFile } from '../lib/files.ts'
import { loopback, shardOf } from '../lib/net-bench.ts'
import { Report } from '../lib/report.ts'
import { SinkStore } from '../lib/sink-store.ts'
import type { SuiteOptions } from '../run.ts'

const fixture = fileURLToPath(new URL('../../packages/node/test/fixtures/pair-child.ts', import.meta.url))
const options = {
  heartbeatInterval: 200,
  pairSuspectAfter: 1000,
  pairFailureTimeout: 5000,
  acceptablePause: 500
}

interface Line {
  at: number
  id?: number
  error?: string
  ready?: boolean
  peerId?: string
  address?: string
  pair?: { partner?: string; epoch: number }
  unpair?: { partner: string; reason: string }
  task?: { state: string; params: { epoch: number } }
  put?: { fileId: string; state: string; error?: string }
}

interface Proc {
  dir: string
  proc: ChildProcess
  lines: Line[]
  peerId: string
  address: string
  partner?: string
}

export async function run({ json, args }: SuiteOptions): Promise<void> {
  const report = new Report('pairing', json)
  const [size] = sizesFrom(args, [256 * MiB])
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-pairing-'))
  const procs: Proc[] = []
  try {
    for (let i = 0; i < 5; i++) procs.push(await start(join(root, `n${i}`)))
    for (const a of procs)
      for (const b of procs) {
        if (a === b) continue
        await command(a, { trust: b.peerId })
        await command(a, { connect: b.address })
      }
    const mutual = (p: Proc) =>
      p.partner !== undefined && procs.find((q) => q.peerId === p.partner)?.partner === p.peerId
    await until(() => procs.filter(mutual).length === 4, 'two pairs', 60_000)
    const survivor = procs.find(mutual)!
    const victim = procs.find((p) => p.peerId === survivor.partner)!
    const free = procs.find((p) => p.partner === undefined)!
    const source = join(root, 'input')
    await writeRandomFile(source, size!)
    const putStarted = Date.now()
    const { put } = await command(survivor, { put: source }, 30 * 60_000)
    if (put?.state !== 'done') throw new Error(`upload failed: ${put?.error}`)
    const uploadMs = Date.now() - putStarted
    const heldDir = join(survivor.dir, 'shards', put.fileId)
    const held = await readdir(heldDir)
    let heldBytes = 0
    for (const s of held) heldBytes += (await stat(join(heldDir, s))).size

    const killed = Date.now()
    victim.proc.kill('SIGKILL')
    const failed = await lineOf(survivor, (l) => l.unpair?.reason === 'failed', 120_000)
    const paired = await lineOf(survivor, (l) => l.pair?.partner === free.peerId, 120_000)
    const migrated = await lineOf(
      survivor,
      (l) => l.task?.state === 'done' && l.task.params.epoch === paired.pair!.epoch,
      30 * 60_000
    )
    const onFree = new Set(await readdir(join(free.dir, 'shards', put.fileId)))
    const missing = held.filter((s) => !onFree.has(s))
    if (missing.length > 0)
      throw new Error(`${missing.length} shards the survivor held are not on its new partner`)
    const row = (op: string, ms: number, extra: Record<string, string | number> = {}) =>
      report.add({ op, size: label(size!), held: `${(heldBytes / MiB).toFixed(1)}MiB`, ms, ...extra })
    row('detect', failed.at - killed, { note: 'pairFailureTimeout 5 s + witnesses' })
    row('select', paired.at - failed.at)
    const migrateMs = migrated.at - paired.at
    row('migrate', migrateMs, { MBps: heldBytes / MiB / (migrateMs / 1000) })
    row('total', migrated.at - killed)
    // The baselines beside the migration's rate: the upload on the same processes and network, and
    // the same bytes as shard puts between two bare hosts on the same loopback (the ceiling).
    row('upload', uploadMs, {
      MBps: size! / MiB / (uploadMs / 1000),
      note: 'the file put through the survivor (sealed, encoded, every shard to a pair)'
    })
    const shardBytes = (await stat(join(heldDir, held.find((n) => !n.endsWith('.claims'))!))).size
    const raw = await rawShardPuts(heldBytes, shardBytes)
    row('raw put', raw.ms, {
      MBps: heldBytes / MiB / (raw.ms / 1000),
      note: `the held bytes as ${raw.puts} shard puts of ${Math.round(shardBytes / 1024)} KiB, 4 at a time, between two bare hosts`
    })
    report.printTable(['op', 'size', 'held', 'ms', 'MBps', 'note'])
    report.note(
      'short timeouts: heartbeat 200 ms, suspect after 1 s, failover after 5 s (defaults 1 s, 3 s, 30 s)'
    )
  } finally {
    for (const p of procs) p.proc.kill('SIGKILL')
    await rm(root, { recursive: true, force: true })
  }
}

/**
 * `bytes` as shard puts of `shardSize` (the held shards' size), 4 in flight as a migration keeps
 * them, from one bare host to another on 127.0.0.1 whose store keeps nothing; checked first: every
 * byte arrived.
 */
async function rawShardPuts(bytes: number, shardSize: number): Promise<{ ms: number; puts: number }> {
  const sink = new SinkStore()
  const server = await createHost({ ...loopback, shards: { store: sink } })
  const client = await createHost(loopback)
  try {
    await client.dial(server.getMultiaddrs()[0]!)
    const shards = await Promise.all(Array.from({ length: 4 }, () => shardOf(shardSize)))
    const puts = Math.max(1, Math.round(bytes / shardSize))
    let next = 0
    const started = Date.now()
    await Promise.all(
      shards.map(async (s) => {
        while (next < puts) {
          next++
          await client.services.shards.put(server.peerId, s.header, s.bytes, { id: s.id })
        }
      })
    )
    const ms = Date.now() - started
    if (sink.stored !== puts * shardSize)
      throw new Error(`raw puts stored ${sink.stored} of ${puts * shardSize} bytes`)
    return { ms, puts }
  } finally {
    await Promise.allSettled([client.stop(), server.stop()])
  }
}

let nextId = 1

async function start(dir: string): Promise<Proc> {
  const proc = spawn(process.execPath, ['--conditions=@defs/source', fixture, dir, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const p = { dir, proc, lines: [] } as unknown as Proc
  createInterface({ input: proc.stdout! }).on('line', (text) => {
    const line = { ...(JSON.parse(text) as Line), at: Date.now() }
    p.lines.push(line)
    if (line.ready) Object.assign(p, { peerId: line.peerId, address: line.address })
    if (line.pair) p.partner = line.pair.partner
    if (line.unpair) p.partner = undefined
  })
  await lineOf(p, (l) => l.ready === true, 60_000)
  return p
}

async function command(p: Proc, cmd: object, ms = 30_000): Promise<Line> {
  const id = nextId++
  p.proc.stdin!.write(`${JSON.stringify({ ...cmd, id })}\n`)
  const line = await lineOf(p, (l) => l.id === id, ms)
  if (line.error !== undefined) throw new Error(line.error)
  return line
}

async function lineOf(p: Proc, match: (l: Line) => boolean, ms: number): Promise<Line> {
  await until(() => p.lines.some(match), 'a line', ms)
  return p.lines.find(match)!
}

async function until(cond: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
