// The conventions of issue #18, each against the real `defs` executable and an in-process daemon
// over an in-memory node (the real network is devnet.test.ts): output whatever stdout is, one-line
// errors for bad flags where they are given, --help that lists exactly the flags accepted, and the
// commands people expect (cat, get to the stored name, put -r and -q, config, version, completion).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stripVTControlCharacters } from 'node:util'
import { type Daemon, startDaemon } from '@defs/daemon'
import type { TaskRecord } from '@defs/node'
import { readNodeConfig } from '@defs/node/config'
import { FakeNode } from '../../daemon/test/fake-node.ts'
import { acceptedFlags, type FlagDefs, parseFlags } from '../src/parse-flags.ts'
import { root } from '../src/root.ts'
import { usageText, wantsColour } from '../src/usage.ts'
import { apiEnv, assertOneLineError, closedPort, defsBin, runCli, runCliPiped } from './run-cli.ts'

describe('defs conventions', () => {
  let dir: string
  let daemon: Daemon
  const node = new FakeNode()
  let env: NodeJS.ProcessEnv
  const big = randomBytes(3 * 2 ** 20 + 4321)
  let bigId: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-conventions-'))
    daemon = await startDaemon({ dir: join(dir, 'node'), port: 0, createNode: async () => node })
    env = apiEnv(daemon.url, daemon.token)
    await writeFile(join(dir, 'big.bin'), big)
    const put = await runCli(['put', join(dir, 'big.bin'), '--json'], { env })
    assert.equal(put.code, 0, put.stderr)
    bigId = (JSON.parse(put.stdout.toString()) as { fileId: string }).fileId
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes every byte of a 3 MiB file to a slow pipe, to a file, and exits 141 quietly when the reader closes', async () => {
    const slow = await runCliPiped(['cat', bigId], { env, delayMs: 5 })
    assert.equal(slow.code, 0, slow.stderr)
    assert.deepEqual(slow.stdout, big)
    const path = join(dir, 'redirected.bin')
    const file = await open(path, 'w')
    // Not spawnSync: the daemon answering it runs in this process.
    const child = spawn(process.execPath, [defsBin, 'cat', bigId], {
      env: { ...process.env, ...env },
      stdio: ['ignore', file.fd, 'inherit']
    })
    const [status] = (await once(child, 'exit')) as [number | null]
    await file.close()
    assert.equal(status, 0)
    assert.deepEqual(await readFile(path), big)
    const head = await runCliPiped(['cat', bigId], { env, closeAfter: 1000 })
    assert.equal(head.code, 141, head.stderr)
    assert.equal(head.stderr, '', 'no EPIPE stack')
  })

  it('prints JSON over 1 MiB whole to a slow reader, and stops quietly when it closes', async () => {
    for (let i = 0; i < 4000; i++) {
      node.taskList.push({
        id: `bulk-${i}`,
        kind: 'upload',
        state: 'done',
        priority: 0,
        created: i,
        updated: i,
        params: { name: `file-${i}.bin`, path: `/some/where/file-${i}.bin` },
        progress: { bytesDone: i, slicesDone: 1, shardsDone: 6, rate: 0 }
      } as TaskRecord)
    }
    const slow = await runCliPiped(['tasks', '--json'], { env, delayMs: 20 })
    assert.equal(slow.code, 0, slow.stderr)
    assert.ok(slow.stdout.length > 2 ** 20, `${slow.stdout.length} bytes, over 1 MiB`)
    const tasks = JSON.parse(slow.stdout.toString()) as TaskRecord[]
    assert.ok(tasks.some((t) => t.id === 'bulk-3999'))
    const head = await runCliPiped(['tasks', '--json'], { env, closeAfter: 100 })
    assert.deepEqual([head.code, head.stderr], [141, ''])
  })

  it('fails with one line and exit 1 when no daemon answers, for put as for status', async () => {
    const port = await closedPort()
    for (const args of [['put', join(dir, 'big.bin')], ['put', '-'], ['status'], ['cat', bigId]]) {
      const r = await runCli(args, { env: apiEnv(`http://127.0.0.1:${port}`, daemon.token), input: big })
      assertOneLineError(
        r,
        new RegExp(`no daemon answers at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`)
      )
    }
  })

  it('refuses unknown flags, missing and bad values where they are given, naming the flag', async () => {
    const file = join(dir, 'big.bin')
    const cases: [string[], RegExp][] = [
      [
        ['put', file, '--parity', '3'],
        /unknown option --parity for defs put \(did you mean --parity-shards\?\)/
      ],
      [['put', file, '-k', 'ten'], /^defs: --data-shards must be an integer in 1\.\.100, got "ten"$/],
      [['put', file, '-m', '0'], /--parity-shards must be an integer in 1\.\.100, got "0"/],
      [['put', file, '--priority', '5000'], /--priority must be an integer in -1000\.\.1000/],
      [
        ['put', file, '--mode', 'bogus'],
        /--mode must be one of auto, file, slice, rs-size, rs-proportion, got "bogus"/
      ],
      [['put', file, '-k'], /--data-shards needs a value/],
      [['put', file, '--json=yes'], /--json takes no value/],
      [['put', file, 'extra'], /unexpected argument "extra" for defs put/],
      [['put'], /missing FILE for defs put/],
      [['ls', '--colour'], /unknown option --colour for defs ls/],
      [['cat', bigId, '--range', 'x'], /--range must be START-END/]
    ]
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { env })
      assertOneLineError(r, pattern)
      assert.doesNotMatch(r.stderr, /query /, 'the flag, not the HTTP parameter')
    }
  })

  it('lists in --help exactly the flags each command accepts, and refuses any other', async () => {
    const commands = root.subCommands as Record<string, () => Promise<{ args?: unknown }>>
    for (const [name, load] of Object.entries(commands)) {
      const defs = ((await load()).args ?? {}) as FlagDefs
      const help = await runCli([name, '--help'])
      assert.equal(help.code, 0, `${name}: ${help.stderr}`)
      const text = help.stdout.toString()
      assert.equal(text, stripVTControlCharacters(text), `${name} --help to a pipe has no colour codes`)
      const shown = new Set(text.match(/(?<![\w-])--?[a-z][\w-]*/g)?.filter((f) => f !== '--help'))
      const accepted = acceptedFlags(defs)
      assert.deepEqual([...shown].sort(), [...accepted].sort(), `defs ${name} --help against its flags`)
      // Each flag shown parses (given a value if it takes one): the parser and the help agree.
      const positionals = Object.values(defs).filter((d) => d.type === 'positional' && d.required !== false)
      for (const flag of accepted) {
        const def = defs[flag.replace(/^-+/, '')] ?? Object.values(defs).find((d) => `-${d.alias}` === flag)!
        const value = def.type === 'boolean' ? [] : [def.options?.[0] ?? '1']
        parseFlags([...positionals.map(() => 'x'), flag, ...value], defs, name)
      }
      assert.throws(() => parseFlags(['--no-such-flag'], defs, name), /unknown option --no-such-flag/)
    }
  })

  it('has no colour codes in --help redirected, and honours NO_COLOR on a terminal', async () => {
    const r = await runCli(['--help'])
    assert.equal(r.code, 0)
    assert.ok(!r.stdout.toString().includes('\x1b'), 'no escape character')
    assert.equal(wantsColour({ isTTY: true }, {}), true)
    assert.equal(wantsColour({ isTTY: true }, { NO_COLOR: '1' }), false)
    assert.equal(wantsColour({ isTTY: false }, {}), false)
    assert.equal(usageText('\x1b[1mUSAGE\x1b[22m', false), 'USAGE')
  })

  it('draws the progress bar on a narrow terminal without ever wrapping (a real pty, 30 columns)', async () => {
    // script(1) gives defs a pseudo-terminal for stdout and stderr; stty makes it 30 columns wide.
    const command = `stty cols 30 rows 10; ${JSON.stringify(process.execPath)} ${JSON.stringify(defsBin)} put ${JSON.stringify(join(dir, 'big.bin'))}`
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, ...env, DEFS_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let typed = ''
    child.stdout.on('data', (d: Buffer) => {
      typed += d.toString()
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    assert.equal(code, 0, typed)
    const frames = typed.split(/\r|\n/).map((f) => stripVTControlCharacters(f))
    const bars = frames.filter((f) => /\d B|KiB|MiB/.test(f) && !/^(stored| {2})/.test(f))
    assert.ok(bars.length > 0, `a bar was drawn: ${JSON.stringify(typed)}`)
    for (const bar of bars)
      assert.ok(bar.length < 30, `a bar of ${bar.length} columns: ${JSON.stringify(bar)}`)
  })

  it('refuses to replace a file with get unless --force, before it starts a task', async () => {
    const here = join(dir, 'here')
    await mkdir(here)
    await writeFile(join(here, 'big.bin'), 'mine')
    assertOneLineError(await runCli(['get', bigId], { env, cwd: here }), /big\.bin exists; pass --force/)
    assert.equal(await readFile(join(here, 'big.bin'), 'utf8'), 'mine')
  })

  it('puts a directory with -r (one line per file; -q only capabilities; --json all)', async () => {
    const tree = join(dir, 'tree')
    await mkdir(join(tree, 'sub'), { recursive: true })
    await writeFile(join(tree, 'a.txt'), 'alpha')
    await writeFile(join(tree, 'sub', 'b.txt'), 'beta')
    const text = await runCli(['put', '-r', tree], { env })
    assert.equal(text.code, 0, text.stderr)
    const lines = text.stdout.toString().trimEnd().split('\n')
    assert.equal(lines.length, 2)
    assert.match(lines[0]!, /^[0-9a-f]{32} {2}defs:[0-9a-f]{32}:[0-9a-f]{64} {2}a\.txt$/)
    assert.match(lines[1]!, /sub\/b\.txt$/)
    const quiet = await runCli(['put', '-r', tree, '-q'], { env })
    assert.match(quiet.stdout.toString(), /^(defs:[0-9a-f]{32}:[0-9a-f]{64}\n){2}$/)
    const json = JSON.parse((await runCli(['put', '-r', tree, '--json'], { env })).stdout.toString()) as {
      name?: string
      size: number
    }[]
    assert.deepEqual(
      json.map((r) => r.size),
      [5, 4]
    )
    assertOneLineError(await runCli(['put', tree], { env }), /is a directory; defs put -r/)
  })

  it('refuses to pause an upload fed by a stream, which could not resume', async () => {
    node.taskList.push({
      id: 'streamed',
      kind: 'upload',
      state: 'running',
      priority: 0,
      created: 0,
      updated: 0,
      params: { path: null },
      progress: { bytesDone: 1, slicesDone: 0, shardsDone: 0, rate: 0 }
    } as TaskRecord)
    assertOneLineError(
      await runCli(['tasks', 'pause', 'streamed'], { env }),
      /upload streamed reads from a stream \(stdin\), which cannot be read again once paused/
    )
    assert.equal(node.taskList.find((t) => t.id === 'streamed')?.state, 'running')
  })

  it('shows, gets and sets the config, checked as a start would check it', async () => {
    const nodeDir = join(dir, 'node')
    const show = JSON.parse((await runCli(['config', 'show', '--json', '--dir', nodeDir])).stdout.toString())
    assert.equal(show['api-port'], Number(new URL(daemon.url).port))
    const set = await runCli(['config', 'set', 'max-storage', '2GiB', '--dir', nodeDir])
    assert.equal(set.code, 0, set.stderr)
    assert.equal(
      (await runCli(['config', 'get', 'max-storage', '--dir', nodeDir])).stdout.toString(),
      `${2 ** 31}\n`
    )
    // Node options live in the node's config; daemon.json keeps the API address.
    const config = await readNodeConfig(nodeDir)
    assert.equal(config?.maxStorage, 2 ** 31)
    const mode = config?.storageMode
    assertOneLineError(
      await runCli(['config', 'set', 'mode', 'bogus', '--dir', nodeDir]),
      /--mode must be one of/
    )
    assertOneLineError(
      await runCli(['config', 'set', 'bootstrap', '/ip4/1.2.3.4/tcp/1', '--dir', nodeDir]),
      /names no peer/
    )
    assertOneLineError(
      await runCli(['config', 'get', 'colour', '--dir', nodeDir]),
      /needs a KEY, one of api-port/
    )
    assert.equal((await readNodeConfig(nodeDir))?.storageMode, mode)
  })

  it('prints its version, the daemon version in status, and a completion script', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    const version = await runCli(['version', '--json'])
    assert.equal(JSON.parse(version.stdout.toString()).version, pkg.version)
    assert.equal((await runCli(['--version'])).stdout.toString(), `${pkg.version}\n`)
    const status = JSON.parse((await runCli(['status', '--json'], { env })).stdout.toString())
    assert.deepEqual([status.daemon.version, status.daemon.pid], [pkg.version, process.pid])
    // What the node holds under a lease, what ran out, what was collected: counts and bytes.
    assert.deepEqual(status.leases.held, { shards: status.storedShards, bytes: status.storedBytes })
    assert.equal(status.leases.leased.shards + status.leases.expired.shards, status.storedShards)
    assert.deepEqual(status.leases.collected, { shards: 0, bytes: 0 })
    const text = (await runCli(['status'], { env })).stdout.toString()
    assert.match(
      text,
      new RegExp(`leases +${status.leases.leased.shards} \\(.*\\) leased, 0 \\(0 B\\) expired`)
    )
    const { execFileSync } = await import('node:child_process')
    const script = (await runCli(['completion', 'bash'])).stdout.toString()
    const offered = execFileSync(
      'bash',
      ['-c', `${script}\nCOMP_WORDS=(defs put --allow); COMP_CWORD=2; _defs; echo "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' }
    )
    assert.equal(offered.trim(), '--allow-narrower')
    assert.match((await runCli(['completion', 'zsh'])).stdout.toString(), /^autoload -U \+X bashcompinit/)
  })
})

describe('defs init refuses what a start would refuse', () => {
  it('keeps every --bootstrap, and refuses a bad mode or multiaddr at init', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-init-check-'))
    try {
      const a = '/ip4/127.0.0.1/tcp/7421/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
      const b = '/ip4/127.0.0.2/tcp/7421/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
      const r = await runCli(['init', '--dir', join(dir, 'ok'), '--bootstrap', a, '--bootstrap', b, '--json'])
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual((await readNodeConfig(join(dir, 'ok')))?.bootstrap, [a, b])
      for (const [args, pattern] of [
        [['--mode', 'bogus'], /--mode must be one of auto/],
        [['--bootstrap', '/ip4/1.2.3/tcp/1'], /--bootstrap "\/ip4\/1\.2\.3\/tcp\/1" is not a multiaddr/],
        [['--bootstrap', 'node-1:7421'], /--bootstrap must be a list of multiaddrs/],
        [['--data-shards', '0'], /--data-shards must be an integer in 1\.\.100/]
      ] as [string[], RegExp][]) {
        assertOneLineError(await runCli(['init', '--dir', join(dir, 'bad'), ...args]), pattern)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
