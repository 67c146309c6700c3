// `defs devnet` and `defs demo` as a user runs them: separate processes, Ctrl-C, a killed parent.
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { access, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { ApiClient } from '../src/client.ts'
import { spawnDaemon } from '../src/devnet/daemon-process.ts'
import { type Devnet, startDevnet } from '../src/devnet/devnet.ts'
import type { DevnetFile } from '../src/devnet/devnet-file.ts'
import { isRunning, runCli, spawnCli, waitUntil } from './run-cli.ts'

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false
  )

describe('defs devnet', () => {
  const children: ChildProcess[] = []
  const pids: number[] = []
  const dirs: string[] = []

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL')
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  async function startDevnetCommand(): Promise<{ child: ChildProcess; file: DevnetFile }> {
    const dir = await mkdtemp(join(tmpdir(), 'defs-devnet-cmd-'))
    dirs.push(dir)
    const child = spawnCli(['devnet', '--nodes', '2', '--dir', dir, '--json'])
    children.push(child)
    const path = join(dir, 'devnet.json')
    await waitUntil('devnet.json', () => exists(path), 60_000)
    const file = JSON.parse(await readFile(path, 'utf8')) as DevnetFile
    pids.push(...file.nodes.map((n) => n.pid))
    return { child, file }
  }

  it('starts N daemons bootstrapped to each other, and Ctrl-C stops them all', async () => {
    const { child, file } = await startDevnetCommand()
    assert.equal(file.nodes.length, 2)
    const status = await new ApiClient({ url: file.nodes[1]!.api, token: file.nodes[1]!.token }).status()
    assert.equal(status.peerId, file.nodes[1]!.peerId)
    assert.equal(status.peers, 1)
    const exited = once(child, 'exit')
    child.kill('SIGINT')
    const [code] = await exited
    assert.equal(code, 0)
    for (const node of file.nodes) assert.equal(isRunning(node.pid), false, `${node.name} still runs`)
  })

  it('takes its daemons down when it is killed itself', async () => {
    const { child, file } = await startDevnetCommand()
    child.kill('SIGKILL')
    await waitUntil('the daemons to exit', () => file.nodes.every((n) => !isRunning(n.pid)), 30_000)
  })
})

describe('defs demo', () => {
  it('stores a file on 9 nodes in pairs, survives a pair and a node SIGKILLed, matches SHA-256, repairs it, re-pairs and cleans up', async () => {
    const r = await runCli(['demo', '--size', '8MiB', '--json'], { timeoutMs: 120_000 })
    assert.equal(r.code, 0, r.stderr)
    const summary = JSON.parse(r.stdout.toString()) as {
      ok: boolean
      sha256Match: boolean
      killed: { name: string }[]
      pairs: { a: string; b: string }[]
      failover: { survivor: string; lost: string; partner?: string; epoch?: number }[]
      code: { dataShards: number; parityShards: number }
      slicesRebuilt: number[]
      slicesRebuiltByNode: number
      repair: { health: string; byNode: { name: string; slices: number }[] }
      dir: string
      kept: boolean
    }
    assert.equal(summary.ok, true)
    assert.equal(summary.sha256Match, true)
    assert.equal(summary.killed.length, 3)
    assert.ok(!summary.killed.some((k) => k.name === 'node-1'), 'the node it talks to stays up')
    // four pairs formed; a whole pair and one node of another were crashed
    assert.equal(summary.pairs.length, 4, JSON.stringify(summary.pairs))
    const killed = summary.killed.map((k) => k.name)
    assert.ok(
      summary.pairs.some((p) => killed.includes(p.a) && killed.includes(p.b)),
      'a whole pair is among the killed'
    )
    // the node whose partner crashed paired anew, at a higher epoch, with a node still up
    assert.equal(summary.failover.length, 1)
    const [widow] = summary.failover
    assert.ok(widow!.partner !== undefined, `a new partner for ${widow!.survivor}`)
    assert.ok(!killed.includes(widow!.partner!) && widow!.partner !== widow!.lost)
    assert.ok((widow!.epoch ?? 0) > 1, `epoch ${widow!.epoch}`)
    assert.deepEqual([summary.code.dataShards, summary.code.parityShards], [4, 2])
    assert.ok(summary.slicesRebuilt.length >= 1, 'some slice had to be rebuilt from parity')
    // The node's own count (its /metrics) agrees with what the placement and the kills predict.
    assert.equal(summary.slicesRebuiltByNode, summary.slicesRebuilt.length)
    // The survivors brought every slice back to k + m live shards, and someone counted the work.
    assert.equal(summary.repair.health, 'full')
    assert.ok(
      summary.repair.byNode.some((n) => n.slices > 0),
      JSON.stringify(summary.repair.byNode)
    )
    assert.equal(summary.kept, false)
    assert.equal(await exists(summary.dir), false, 'temporary directory removed')
  })
})

describe('a daemon stopped mid-upload', () => {
  let devnet: Devnet | undefined
  const dirs: string[] = []
  after(async () => {
    await devnet?.stop()
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('pauses the upload at a consistent point, exits 0, and keeps the task across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-stop-mid-'))
    dirs.push(dir)
    devnet = await startDevnet({ nodes: 3, dir })
    const node = devnet.nodes[0]!
    let done = 0
    const slowly = async function* () {
      for (let i = 0; i < 64; i++) {
        yield randomBytes(1 << 20)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    const upload = devnet.client(node.name).upload(slowly(), {
      size: 64 << 20,
      query: { k: 1, m: 1, mode: 'rs-proportion' },
      onProgress: (p) => (done = p.bytesDone)
    })
    upload.catch(() => {})
    await waitUntil('the first slice to be stored', () => done > 0, 30_000)
    const exit = await devnet.kill(node.name, 'SIGTERM')
    assert.deepEqual(exit, { code: 0, signal: null })
    await assert.rejects(upload, { name: 'TaskPausedError' })
    const again = await spawnDaemon(['--dir', node.dir, '--api-port', '0', '--port', '0'], 30_000)
    try {
      const tasks = await new ApiClient({ url: again.ready.api, token: node.token }).tasks()
      const task = tasks.find((t) => t.kind === 'upload')
      assert.ok(task, 'the upload task was persisted')
      assert.ok(task.progress.bytesDone > 0, 'with its progress')
      assert.notEqual(task.state, 'running')
    } finally {
      again.child.kill('SIGTERM')
      await again.exited()
    }
  })
})

/** The first stdout line of a child; fails if it exits or stays silent too long. */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output in ${timeoutMs} ms`)), timeoutMs)
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve(line)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before printing a line`))
    })
  })
}

describe('defs init and defs start', () => {
  it('runs a node in the foreground that client commands find from --dir, and stops on Ctrl-C', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-start-'))
    let start: ChildProcess | undefined
    try {
      const init = await runCli(['init', '--dir', dir, '--api-port', '0', '--port', '0'])
      assert.equal(init.code, 0, init.stderr)
      start = spawnCli(['start', '--dir', dir, '--json'])
      const line = await firstLine(start, 30_000)
      const ready = JSON.parse(line) as { ready: boolean; api: string; peerId: string; pid: number }
      assert.equal(ready.ready, true)
      // the pid is the process that runs the node (the child of bin/defs.js from a source checkout)
      assert.ok(Number.isInteger(ready.pid) && ready.pid > 0, `pid ${ready.pid}`)
      assert.ok(process.kill(ready.pid, 0))
      const status = await runCli(['status', '--json', '--dir', dir])
      assert.equal(status.code, 0, status.stderr)
      const seen = JSON.parse(status.stdout.toString()) as { api: string; peerId: string }
      assert.deepEqual([seen.api, seen.peerId], [ready.api, ready.peerId])
      // a storage node pairs by default (alone, it has no partner yet)
      const pair = await runCli(['pair', '--json', '--dir', dir])
      assert.equal(pair.code, 0, pair.stderr)
      assert.equal((JSON.parse(pair.stdout.toString()) as { enabled: boolean }).enabled, true)
      const exited = once(start, 'exit')
      start.kill('SIGINT')
      assert.deepEqual(await exited, [0, null])
      // --no-pairing once, then a start without the flag: the choice is kept in daemon.json
      for (const flags of [['--no-pairing'], []]) {
        start = spawnCli(['start', '--dir', dir, '--json', ...flags])
        await firstLine(start, 30_000)
        const again = await runCli(['pair', '--json', '--dir', dir])
        assert.equal(again.code, 0, again.stderr)
        assert.equal(
          (JSON.parse(again.stdout.toString()) as { enabled: boolean }).enabled,
          false,
          `started with ${flags.join(' ') || 'no flag'}`
        )
        const gone = once(start, 'exit')
        start.kill('SIGINT')
        assert.deepEqual(await gone, [0, null])
      }
    } finally {
      if (start?.exitCode === null) start.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('defs start --background and defs stop', () => {
  it('runs a node of its own, prints its log path, names a taken p2p port in one line, and stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-background-'))
    let pid: number | undefined
    try {
      assert.equal(
        (await runCli(['init', '--dir', join(dir, 'a'), '--api-port', '0', '--port', '0'])).code,
        0
      )
      // --no-pairing: a node that only reads, without a partner (the background process too)
      const started = await runCli([
        'start',
        '--background',
        '--no-pairing',
        '--dir',
        join(dir, 'a'),
        '--json'
      ])
      assert.equal(started.code, 0, started.stderr)
      const ready = JSON.parse(started.stdout.toString()) as { pid: number; addresses: string[]; log: string }
      pid = ready.pid
      assert.equal(ready.log, join(dir, 'a', 'logs', 'current.log'))
      await waitUntil(
        'the log',
        () =>
          access(ready.log).then(
            () => true,
            () => false
          ),
        10_000
      )
      const status = await runCli(['status', '--json', '--dir', join(dir, 'a')])
      assert.equal(status.code, 0, status.stderr)
      assert.equal((JSON.parse(status.stdout.toString()) as { daemon: { pid: number } }).daemon.pid, pid)
      const pair = await runCli(['pair', '--json', '--dir', join(dir, 'a')])
      assert.equal(pair.code, 0, pair.stderr)
      assert.equal((JSON.parse(pair.stdout.toString()) as { enabled: boolean }).enabled, false)
      // A second node on the first one's p2p port: one line, not libp2p's stack.
      const port = /\/tcp\/(\d+)/.exec(ready.addresses[0]!)![1]!
      assert.equal(
        (await runCli(['init', '--dir', join(dir, 'b'), '--api-port', '0', '--port', port])).code,
        0
      )
      const busy = await runCli(['start', '--dir', join(dir, 'b')])
      assert.equal(busy.code, 1, busy.stderr)
      assert.match(
        busy.stderr,
        new RegExp(
          `^defs: p2p address 127\\.0\\.0\\.1:${port} is in use \\(another node\\?\\); choose another with --port`
        )
      )
      assert.equal(busy.stderr.trimEnd().split('\n').length, 1, busy.stderr)
      const stop = await runCli(['stop', '--dir', join(dir, 'a')])
      assert.equal(stop.code, 0, stop.stderr)
      // the choice is kept: started again without the flag, the node still runs without a partner
      const config = JSON.parse(await readFile(join(dir, 'a', 'daemon.json'), 'utf8')) as {
        pairing?: boolean
      }
      assert.equal(config.pairing, false)
      assert.match(stop.stdout.toString(), new RegExp(`stopped the daemon at .* \\(pid ${pid}\\)`))
      assert.equal(isRunning(pid), false)
      assert.match(await readFile(ready.log, 'utf8'), /"event":"daemon_stopped"/)
    } finally {
      if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  })
})
