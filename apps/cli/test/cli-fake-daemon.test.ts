// The real `defs` executable against an in-process daemon over an in-memory node: what each
// command prints, --json, exit codes and the one-line errors. (The real network is devnet.test.ts.)
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '@defs/daemon'
import { readNodeConfig } from '@defs/node/config'
import { FakeNode } from '../../daemon/test/fake-node.ts'
import { apiEnv, assertOneLineError, closedPort, runCli } from './run-cli.ts'

describe('defs against a daemon', () => {
  let dir: string
  let daemon: Daemon
  const node = new FakeNode()
  const data = randomBytes(300_000)
  let env: NodeJS.ProcessEnv
  let file: string
  let fileId: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-cli-'))
    daemon = await startDaemon({ dir: join(dir, 'node'), port: 0, createNode: async () => node })
    env = apiEnv(daemon.url, daemon.token)
    file = join(dir, 'data.bin')
    await writeFile(file, data)
  })

  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('puts a file and prints its id, capability and placement as JSON', async () => {
    const r = await runCli(['put', file, '--json', '-k', '3', '-m', '2'], { env })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal')
    const result = JSON.parse(r.stdout.toString()) as {
      fileId: string
      capability: string
      size: number
      dataShards: number
      placement: unknown[]
    }
    assert.equal(result.size, data.length)
    assert.equal(result.dataShards, 3)
    assert.match(result.capability, /^defs:[0-9a-f]{32}:/)
    assert.ok(result.placement.length >= 1)
    fileId = result.fileId
  })

  it('prints a readable summary without --json', async () => {
    const r = await runCli(['put', file, '--name', 'second.bin'], { env })
    assert.equal(r.code, 0, r.stderr)
    const text = r.stdout.toString()
    assert.match(text, /^stored second\.bin \(293\.0 KiB, rs-proportion 4\+2\) in /)
    assert.match(text, /file id {5}[0-9a-f]{32} {2}\(reads on this node\)/)
    assert.match(text, /capability {2}defs:/)
    assert.doesNotMatch(text, /slice 0/, 'the placement only with -v')
    const verbose = await runCli(['put', file, '--name', 'third.bin', '-v'], { env })
    assert.match(verbose.stdout.toString(), /slice 0 {5}0:/)
    const quiet = await runCli(['put', file, '-q'], { env })
    assert.match(quiet.stdout.toString(), /^defs:[0-9a-f]{32}:[0-9a-f]{64}\n$/)
  })

  it('puts from stdin with -', async () => {
    const r = await runCli(['put', '-', '--json', '--name', 'piped'], { env, input: data.subarray(0, 1234) })
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout.toString()) as { size: number }).size, 1234)
  })

  // To a file, get runs a download task in the daemon: devnet.test.ts, on real nodes.
  it('streams a file to a pipe, byte for byte', async () => {
    for (const args of [
      ['cat', fileId],
      ['get', fileId, '-o', '-']
    ]) {
      const piped = await runCli(args, { env })
      assert.equal(piped.code, 0, piped.stderr)
      assert.deepEqual(piped.stdout, data, args.join(' '))
    }
  })

  it('gets a byte range', async () => {
    const r = await runCli(['cat', fileId, '--range', '1000-1999'], { env })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.stdout, data.subarray(1000, 2000))
    const tail = await runCli(['cat', fileId, '--range', '299990-'], { env })
    assert.deepEqual(tail.stdout, data.subarray(299_990))
  })

  it('lists files, as a table and as JSON', async () => {
    const text = await runCli(['ls'], { env })
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout.toString(), /^ID\s+NAME\s+SIZE\s+CODE\s+SLICES\s+CREATED/)
    assert.match(text.stdout.toString(), /second\.bin/)
    const json = JSON.parse((await runCli(['ls', '--json'], { env })).stdout.toString()) as {
      fileId: string
    }[]
    assert.ok(json.some((f) => f.fileId === fileId))
  })

  it('shows status and peers', async () => {
    const status = JSON.parse((await runCli(['status', '--json'], { env })).stdout.toString()) as {
      peerId: string
      api: string
    }
    assert.equal(status.peerId, node.peerId)
    assert.equal(status.api, daemon.url)
    const peers = await runCli(['peers'], { env })
    assert.match(
      peers.stdout.toString(),
      /12D3KooWPeerA\s+0\.900\s+0\.99\s+0\.80\s+0\.90\s+0\.95\s+0\.75\s+1 ms/
    )
  })

  it("prints the dashboard's URL and the token its sign-in page takes, which signs in", async () => {
    const shown = JSON.parse((await runCli(['dashboard', '--json'], { env })).stdout.toString()) as {
      url: string
      token: string
    }
    assert.equal(shown.url, `${daemon.url}/`)
    const page = await fetch(shown.url)
    assert.equal(page.status, 200)
    const session = await fetch(`${daemon.url}/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ token: shown.token })
    })
    assert.equal(session.status, 200)
    const text = (await runCli(['dashboard'], { env })).stdout.toString()
    assert.match(text, new RegExp(`^dashboard  ${daemon.url}/$`, 'm'))
  })

  it('checks health, and exits 1 with one line when a slice has fewer than k shards', async () => {
    const ok = await runCli(['check', fileId], { env })
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout.toString(), /readable, fewest live shards 5/)
    const put = JSON.parse((await runCli(['put', file, '--json'], { env })).stdout.toString()) as {
      fileId: string
    }
    node.lose(put.fileId, 2)
    const bad = await runCli(['check', put.fileId], { env })
    assertOneLineError(bad, /cannot be read: slice 0 has 2 live shards, needs 4/)
    assert.match(bad.stdout.toString(), /LOST/)
    const cat = await runCli(['cat', put.fileId], { env })
    assertOneLineError(cat, /too many shards are lost to recover the file: slice 0: have 2 shards, need 4/)
  })

  it('check shows the shards of each slice per pair, in --json too, and warns of a pair holding more than m', async () => {
    const ok = await runCli(['check', fileId], { env })
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stderr, '', 'no warning: at most m per pair')
    const text = ok.stdout.toString()
    assert.match(text, /^SLICE\s+LIVE\s+NEED\s+STATE\s+PER PAIR$/m)
    assert.match(text, /^0\s+5\/5\s+3\s+ok\s+P1 2 {2}P2 2 {2}P3 1$/m)
    assert.match(text, /^P1\s+\d+\s+12D3KooWPeerA \+ 12D3KooWPeerB$/m)
    assert.match(text, /^P3\s+\d+\s+12D3KooWPeerE \+ 12D3KooWPeerF$/m)
    assert.match(text, /most on one pair 2 \(m = 2\)/)
    const json = JSON.parse((await runCli(['check', fileId, '--json'], { env })).stdout.toString()) as {
      slices: { pairs: { peers: string[]; shards: number[]; count: number; overBound: boolean }[] }[]
    }
    assert.deepEqual(json.slices[0]!.pairs[0], {
      peers: ['12D3KooWPeerA', '12D3KooWPeerB'],
      shards: [0, 1],
      count: 2,
      overBound: false
    })
    const put = JSON.parse((await runCli(['put', file, '--json'], { env })).stdout.toString()) as {
      fileId: string
    }
    node.crowd(put.fileId)
    const crowded = await runCli(['check', put.fileId], { env })
    assert.equal(crowded.code, 0, 'still readable: a warning, not an error')
    assert.match(crowded.stdout.toString(), /^0\s+6\/6\s+4\s+ok\s+P1 3! {2}P2 2 {2}P3 1$/m)
    assert.match(
      crowded.stderr,
      /^warning: slice 0: the pair 12D3KooWPeerA \+ 12D3KooWPeerB holds shard\(s\) 0,1,2 \(more than m = 2\): losing that pair loses the slice$/m
    )
  })

  it('lists tasks and reports a refused action in one line', async () => {
    const tasks = JSON.parse((await runCli(['tasks', '--json'], { env })).stdout.toString()) as {
      id: string
    }[]
    assert.ok(tasks.length >= 1)
    const table = await runCli(['tasks'], { env })
    assert.match(table.stdout.toString(), /^ID\s+KIND\s+STATE/)
    const one = JSON.parse((await runCli(['tasks', tasks[0]!.id, '--json'], { env })).stdout.toString()) as {
      id: string
    }
    assert.equal(one.id, tasks[0]!.id)
    assertOneLineError(
      await runCli(['tasks', 'pause', tasks[0]!.id], { env }),
      /is done, cannot become paused/
    )
    assertOneLineError(await runCli(['tasks', 'cancel', 'no-such-task'], { env }), /no task no-such-task/)
    assertOneLineError(await runCli(['tasks', 'pause'], { env }), /needs a task id/)
  })

  it('removes a file; the id is then unknown', async () => {
    const r = await runCli(['rm', fileId], { env })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout.toString(), new RegExp(`removed ${fileId} \\(\\d+ shards deleted\\)`))
    assertOneLineError(await runCli(['get', fileId, '-o', join(dir, 'gone.bin')], { env }), /not found/)
    assertOneLineError(await runCli(['rm', fileId], { env }), /not found/)
  })

  it('finds the daemon from --dir (daemon.json and api-token)', async () => {
    const r = await runCli(['status', '--json', '--dir', join(dir, 'node')])
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout.toString()) as { api: string }).api, daemon.url)
  })

  it('prints one clear line for user errors, and the stack with --verbose', async () => {
    assertOneLineError(
      await runCli(['put', join(dir, 'missing.bin')], { env }),
      /no such file: .*missing\.bin/
    )
    assertOneLineError(
      await runCli(['status'], { env: apiEnv(daemon.url, 'f'.repeat(64)) }),
      /refused the API token/
    )
    const closed = await closedPort()
    assertOneLineError(
      await runCli(['status'], { env: apiEnv(`http://127.0.0.1:${closed}`, daemon.token) }),
      new RegExp(`no daemon answers at http://127\\.0\\.0\\.1:${closed} \\(connection refused\\)`)
    )
    assertOneLineError(
      await runCli(['status', '--dir', join(dir, 'nowhere')]),
      /no daemon configured in .*nowhere/
    )
    assertOneLineError(await runCli(['put', file, '-k', '10', '-m', '5'], { env }), /not enough peers/)
    const verbose = await runCli(['put', join(dir, 'missing.bin'), '--verbose'], { env })
    assert.equal(verbose.code, 1)
    assert.match(verbose.stderr, /^defs: no such file/)
    assert.match(verbose.stderr, /\n\s+at /)
  })

  it('refuses an unknown command with exit 1', async () => {
    const r = await runCli(['frobnicate'], { env })
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'defs: unknown command "frobnicate"; defs --help lists them\n')
  })
})

describe('defs init', () => {
  it('writes daemon.json and an owner-only token, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-init-'))
    try {
      const r = await runCli(['init', '--dir', dir, '--json', '--api-port', '7999', '--max-storage', '1GiB'])
      assert.equal(r.code, 0, r.stderr)
      const config = JSON.parse(await readFile(join(dir, 'daemon.json'), 'utf8')) as { api: { port: number } }
      const node = await readNodeConfig(dir)
      assert.deepEqual([config.api.port, node?.port, node?.maxStorage], [7999, 7421, 2 ** 30])
      assert.equal((await stat(join(dir, 'api-token'))).mode & 0o777, 0o600)
      assertOneLineError(await runCli(['init', '--dir', dir]), /already initialized/)
      assertOneLineError(
        await runCli(['init', '--dir', join(dir, 'x'), '--port', 'abc']),
        /--port must be an integer/
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
