// The real thing: `defs` driving a devnet of real daemons (separate processes, real nodes over
// TCP on 127.0.0.1). Put/get/ls/rm/tasks, auth, ranges, killed nodes, and too many lost shards.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FileHealth, PeerInfo, PutResult, TaskRecord } from '@defs/node'
import { chooseVictims } from '../src/demo/victims.ts'
import { type Devnet, startDevnet } from '../src/devnet/devnet.ts'
import { apiEnv, assertOneLineError, runCli, runCliPiped, waitUntil } from './run-cli.ts'

describe('defs on a real devnet', () => {
  let dir: string
  let devnet: Devnet
  let env: NodeJS.ProcessEnv
  const data = randomBytes(3 * 2 ** 20 + 12_345)
  let file: string
  let put: PutResult

  const json = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], { env })
    assert.equal(r.code, 0, `defs ${args.join(' ')}: ${r.stderr}`)
    return JSON.parse(r.stdout.toString()) as T
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-devnet-test-'))
    devnet = await startDevnet({ nodes: 6, dir: join(dir, 'net') })
    const first = devnet.nodes[0]!
    env = apiEnv(first.api, first.token)
    file = join(dir, 'data.bin')
    await writeFile(file, data)
  })

  after(async () => {
    await devnet?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes devnet.json with every node API, token and peer id, owner-only', async () => {
    const saved = JSON.parse(await readFile(devnet.file, 'utf8')) as {
      nodes: { api: string; token: string; peerId: string }[]
    }
    assert.equal(saved.nodes.length, 6)
    for (const [i, node] of saved.nodes.entries()) {
      assert.equal(node.api, devnet.nodes[i]!.api)
      assert.match(node.token, /^[0-9a-f]{64}$/)
      assert.match(node.peerId, /^12D3KooW/)
    }
    const peers = await json<PeerInfo[]>(['peers'])
    assert.equal(peers.length, 5)
    for (const p of peers) assert.equal(typeof p.score, 'number')
  })

  it('puts a file with 4+2 and gets it back byte for byte', async () => {
    put = await json<PutResult>(['put', file, '-k', '4', '-m', '2', '--mode', 'rs-proportion'])
    assert.deepEqual([put.dataShards, put.parityShards, put.size], [4, 2, data.length])
    for (const slice of put.placement) assert.equal(slice.shards.length, 6)
    const out = join(dir, 'out.bin')
    await json(['get', put.fileId, '-o', out])
    assert.deepEqual(await readFile(out), data)
  })

  it('gets to the stored name as a download task, with progress from the task and --force to replace', async () => {
    const here = join(dir, 'here')
    await mkdir(here)
    const r = await runCli(['get', put.fileId, '--json'], { env, cwd: here })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(await readFile(join(here, 'data.bin')), data)
    const summary = JSON.parse(r.stdout.toString()) as { taskId: string; bytes: number; sha256: string }
    assert.equal(summary.bytes, data.length)
    assert.equal(summary.sha256, createHash('sha256').update(data).digest('hex'))
    const task = await json<TaskRecord>(['tasks', summary.taskId])
    assert.deepEqual([task.kind, task.state], ['download', 'done'])
    assertOneLineError(
      await runCli(['get', put.fileId], { env, cwd: here }),
      /data\.bin exists; pass --force/
    )
    const ranged = await runCli(['get', put.fileId, '--range', '1000-1999', '-o', 'part.bin', '--force'], {
      env,
      cwd: here
    })
    assert.equal(ranged.code, 0, ranged.stderr)
    assert.deepEqual(await readFile(join(here, 'part.bin')), data.subarray(1000, 2000))
    assert.deepEqual((await readdir(here)).sort(), ['data.bin', 'part.bin'], 'no temp file left')
  })

  it('prints the capability again with defs share; another node reads the file with it, not with the id', async () => {
    const share = await runCli(['share', put.fileId], { env })
    assert.equal(share.code, 0, share.stderr)
    assert.equal(share.stdout.toString(), `${put.capability}\n`)
    const other = devnet.nodes[1]!
    const otherEnv = apiEnv(other.api, other.token)
    const byCapability = await runCli(['cat', put.capability], { env: otherEnv })
    assert.equal(byCapability.code, 0, byCapability.stderr)
    assert.ok(byCapability.stdout.equals(data))
    assertOneLineError(await runCli(['cat', put.fileId], { env: otherEnv }), /no key for file/)
  })

  it('lists the file and its upload task', async () => {
    const files = await json<{ fileId: string; size: number }[]>(['ls'])
    assert.equal(files.find((f) => f.fileId === put.fileId)?.size, data.length)
    const tasks = await json<TaskRecord[]>(['tasks'])
    const upload = tasks.find((t) => t.id === put.taskId)
    assert.equal(upload?.kind, 'upload')
    assert.equal(upload?.state, 'done')
    const one = await json<TaskRecord>(['tasks', put.taskId])
    assert.equal(one.id, put.taskId)
  })

  it('answers 401 without the token, and serves Range requests with it', async () => {
    const node = devnet.nodes[0]!
    for (const path of ['/v1/status', `/v1/files/${put.fileId}`, '/metrics']) {
      assert.equal((await fetch(`${node.api}${path}`)).status, 401, path)
    }
    const auth = { authorization: `Bearer ${node.token}` }
    const ranged = await fetch(`${node.api}/v1/files/${put.fileId}`, {
      headers: { ...auth, range: 'bytes=1048000-1049999' }
    })
    assert.equal(ranged.status, 206)
    assert.equal(ranged.headers.get('content-range'), `bytes 1048000-1049999/${data.length}`)
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), data.subarray(1_048_000, 1_050_000))
    const suffix = await fetch(`${node.api}/v1/files/${put.fileId}`, {
      headers: { ...auth, range: 'bytes=-100' }
    })
    assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), data.subarray(-100))
    const past = await fetch(`${node.api}/v1/files/${put.fileId}`, {
      headers: { ...auth, range: `bytes=${data.length}-` }
    })
    assert.equal(past.status, 416)
    const cli = await runCli(['cat', put.fileId, '--range', '3000000-3000099'], { env })
    assert.deepEqual(cli.stdout, data.subarray(3_000_000, 3_000_100))
  })

  it('exposes metrics of the real node', async () => {
    const node = devnet.nodes[0]!
    // Streamed (stdin), so the bytes cross the HTTP API and are counted there.
    const piped = await runCli(['put', '-', '--name', 'piped', '-k', '4', '-m', '2'], { env, input: data })
    assert.equal(piped.code, 0, piped.stderr)
    const text = await (
      await fetch(`${node.api}/metrics`, { headers: { authorization: `Bearer ${node.token}` } })
    ).text()
    assert.match(text, /^defs_peers 5$/m)
    assert.match(text, /^defs_received_bytes_total \d+/m)
    assert.ok(Number(/^defs_received_bytes_total (\d+)/m.exec(text)?.[1]) >= data.length)
    assert.match(text, /^defs_tasks\{state="done"\} [1-9]/m)
  })

  it('removes a file; getting it then fails with one line', async () => {
    const other = await json<PutResult>(['put', file, '--name', 'to-remove', '-k', '4', '-m', '2'])
    const removed = await json<{ fileId: string; shardsDeleted: number }>(['rm', other.fileId])
    assert.equal(removed.fileId, other.fileId)
    assert.ok(removed.shardsDeleted >= 1)
    const get = await runCli(['get', other.fileId, '-o', join(dir, 'removed.bin')], { env })
    assert.equal(get.code, 1)
    assert.equal(get.stderr.trimEnd().split('\n').length, 1, get.stderr)
    assert.match(get.stderr, new RegExp(`^defs: file ${other.fileId} was deleted`))
  })

  it('refuses an explicit code the network cannot hold, unless --allow-narrower, then warns', async () => {
    const refused = await runCli(['put', file, '-k', '10', '-m', '5'], { env })
    assertOneLineError(
      refused,
      /not enough peers: rs-proportion 10\+5 needs 15 peers, the network has 6; lower -k\/-m, or pass --allow-narrower/
    )
    const narrower = await runCli(['put', file, '-k', '10', '-m', '5', '--allow-narrower', '--json'], { env })
    assert.equal(narrower.code, 0, narrower.stderr)
    const result = JSON.parse(narrower.stdout.toString()) as PutResult
    assert.ok(result.dataShards + result.parityShards <= 6)
    assert.match(
      narrower.stderr,
      /^defs: data\.bin: warning: stored as rs-proportion \d\+\d: it survives the loss of \d nodes, not the 5 asked \(-m 5\)\n$/
    )
  })

  it('pauses a put of a local file and resumes it to the end (the daemon reads the file itself)', async () => {
    const large = join(dir, 'large.bin')
    const bytes = randomBytes(48 * 2 ** 20)
    await writeFile(large, bytes)
    const put = runCli(['put', large, '-k', '4', '-m', '2'], { env, timeoutMs: 120_000 })
    let ended: string | undefined
    put.then((r) => {
      ended = `defs put ended first (${r.code}): ${r.stderr}${r.stdout}`
    })
    // Polled through the API, not by spawning defs, to catch the upload while it runs.
    const client = devnet.client('node-1')
    let task: TaskRecord | undefined
    await waitUntil(
      'the upload to make progress',
      async () => {
        assert.equal(ended, undefined)
        task = (await client.tasks()).find((t) => t.kind === 'upload' && t.state === 'running')
        return task !== undefined
      },
      60_000
    )
    await client.taskAction(task!.id, 'pause')
    const stopped = await put
    assertOneLineError(
      stopped,
      new RegExp(`task ${task!.id} is paused; resume it with: defs tasks resume ${task!.id}`)
    )
    assert.equal((await runCli(['tasks', 'resume', task!.id], { env })).code, 0)
    let done: TaskRecord | undefined
    await waitUntil(
      'the resumed upload to finish',
      async () => {
        done = await json<TaskRecord>(['tasks', task!.id])
        assert.notEqual(done.state, 'failed', done.error)
        return done.state === 'done'
      },
      90_000
    )
    const fileId = (done!.result as { fileIdHex: string }).fileIdHex
    const back = await runCliPiped(['cat', fileId], { env, delayMs: 1, timeoutMs: 120_000 })
    assert.equal(back.code, 0, back.stderr)
    assert.ok(back.stdout.equals(bytes), 'the resumed file reads back byte for byte')
    // The same through a download task: paused while it runs, resumed by defs tasks, read whole.
    const copy = join(dir, 'large-copy.bin')
    const get = runCli(['get', fileId, '-o', copy], { env, timeoutMs: 120_000 })
    let download: TaskRecord | undefined
    await waitUntil(
      'the download to run',
      async () => {
        download = (await client.tasks()).find((t) => t.kind === 'download' && t.state === 'running')
        return download !== undefined
      },
      60_000
    )
    await client.taskAction(download!.id, 'pause')
    assertOneLineError(
      await get,
      new RegExp(`download ${download!.id} is paused; defs tasks resume ${download!.id}`)
    )
    assert.equal((await runCli(['tasks', 'resume', download!.id], { env })).code, 0)
    await waitUntil(
      'the resumed download to finish',
      async () => (await client.task(download!.id)).state === 'done',
      90_000
    )
    assert.ok((await readFile(copy)).equals(bytes), 'the resumed download is the file')
    const head = await runCliPiped(['cat', fileId], { env, closeAfter: 1000 })
    assert.deepEqual([head.code, head.stderr], [141, ''])
  })

  it('still reads the file after two nodes are SIGKILLed', async () => {
    const others = devnet.nodes.slice(1)
    const choice = chooseVictims(
      put.placement,
      4,
      2,
      others.map((n) => n.name),
      2,
      (name) => devnet.nodes.find((n) => n.name === name)!.peerId
    )
    assert.equal(choice.recoverable, true)
    for (const name of choice.victims) await devnet.kill(name)
    const out = join(dir, 'after-kill.bin')
    await json(['get', put.fileId, '-o', out])
    assert.deepEqual(await readFile(out), data)
    const health = await json<FileHealth>(['check', put.fileId])
    assert.equal(health.readable, true)
  })

  it('fails with one clear line and exit 1 when a slice has fewer than k shards', async () => {
    for (const node of devnet.nodes.slice(1)) if (devnet.alive(node.name)) await devnet.kill(node.name)
    // Only node-1 is left: it holds at most m shards of any slice, fewer than k = 4.
    const get = await runCli(['get', put.fileId, '-o', join(dir, 'lost.bin')], { env, timeoutMs: 90_000 })
    await assert.rejects(stat(join(dir, 'lost.bin')), 'no output file')
    assert.equal(get.code, 1, get.stderr)
    const lines = get.stderr.trimEnd().split('\n')
    assert.equal(lines.length, 1, get.stderr)
    assert.match(lines[0]!, /^defs: download [0-9a-f]+ failed: slice \d+: have \d shards?, need 4/)
    const check = await runCli(['check', put.fileId], { env, timeoutMs: 90_000 })
    assert.equal(check.code, 1, check.stderr)
    assert.match(
      check.stderr,
      /^defs: file [0-9a-f]+ cannot be read: slice \d+ has \d live shards, needs 4\n$/
    )
  })
})

describe('defs on a lone node', () => {
  it('stores with one copy and says on stderr that there is no redundancy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-lone-'))
    const devnet = await startDevnet({ nodes: 1, dir: join(dir, 'net') }).catch(async (err) => {
      await rm(dir, { recursive: true, force: true })
      throw err
    })
    try {
      const node = devnet.nodes[0]!
      await writeFile(join(dir, 'one.txt'), 'only here')
      const r = await runCli(['put', join(dir, 'one.txt')], { env: apiEnv(node.api, node.token) })
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout.toString(), /^stored one\.txt \(9 B, file mode, 1 copy\)/)
      assert.match(r.stderr, /warning: stored with no redundancy \(one copy, on one node\)/)
    } finally {
      await devnet.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
