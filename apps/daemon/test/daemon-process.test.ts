// The daemon as a process over the real node: the ready line, auth, one node per directory,
// graceful stop on SIGTERM (tasks persisted, lock released), and exit when its parent goes.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { access, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import type { NodeStatus } from '@defs/node'
import { daemonEntryPoint } from '../src/entry-point.ts'

interface Started {
  child: ChildProcess
  line: {
    ready: boolean
    api?: string
    peerId?: string
    addresses?: string[]
    error?: { name: string; message: string }
  }
  stderr: () => string
}

const children: ChildProcess[] = []

function startProcess(args: string[]): Promise<Started> {
  const entry = daemonEntryPoint()
  const child = spawn(
    process.execPath,
    [...entry.execArgv, entry.script, '--api-port', '0', '--port', '0', ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe']
    }
  )
  children.push(child)
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s: ${stderr}`)), 30_000)
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve({ child, line: JSON.parse(line), stderr: () => stderr })
    })
  })
}

async function exitOf(child: ChildProcess, timeoutMs = 30_000): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code, signal] = await once(child, 'exit')
  clearTimeout(timer)
  return code ?? signal
}

describe('daemon process', () => {
  const dirs: string[] = []
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-daemon-proc-'))
    dirs.push(dir)
    return dir
  }

  after(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('prints its ready line, serves the API with the token only, and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir()
    const first = await startProcess(['--dir', dir])
    assert.equal(first.line.ready, true)
    assert.match(first.line.api!, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.match(first.line.peerId!, /^12D3KooW/)
    assert.ok(first.line.addresses!.some((a) => a.startsWith('/ip4/127.0.0.1/tcp/')))
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
    const status = await fetch(`${first.line.api}/v1/status`, {
      headers: { authorization: `Bearer ${token}` }
    })
    const body = (await status.json()) as NodeStatus
    assert.equal(body.peerId, first.line.peerId)
    // A fresh node holds nothing: held, leased, expired and collected are all zero shards and bytes.
    const none = { shards: 0, bytes: 0 }
    assert.deepEqual(body.leases, { held: none, leased: none, expired: none, collected: none })
    assert.equal((await fetch(`${first.line.api}/v1/status`)).status, 401)
    // /metrics carries the daemon's own counters and libp2p's, in one Prometheus text page.
    const metrics = await (
      await fetch(`${first.line.api}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    ).text()
    assert.match(metrics, /^# TYPE defs_\w+/m)
    assert.match(metrics, /^# TYPE libp2p_data_transfer_bytes_total counter$/m)
    assert.match(metrics, /^defs_collected_shards_total 0$/m)
    assert.match(metrics, /^defs_collected_bytes_total 0$/m)

    // One process per node directory: a second one is refused, with a JSON line and exit 1.
    const second = await startProcess(['--dir', dir])
    assert.equal(second.line.ready, false)
    assert.equal(second.line.error?.name, 'DirectoryLockedError')
    assert.equal(await exitOf(second.child), 1)

    first.child.kill('SIGTERM')
    assert.equal(await exitOf(first.child), 0, first.stderr())
    assert.match(first.stderr(), /SIGTERM, stopping/)
    assert.match(await readFile(join(dir, 'logs', 'current.log'), 'utf8'), /"event":"daemon_stopped"/)
    await assert.rejects(access(join(dir, 'lock')), 'the directory lock is released')

    // It comes back with the same identity and token.
    const again = await startProcess(['--dir', dir])
    assert.equal(again.line.peerId, first.line.peerId)
    assert.equal((await readFile(join(dir, 'api-token'), 'utf8')).trim(), token)
    again.child.kill('SIGINT')
    assert.equal(await exitOf(again.child), 0, again.stderr())
  })

  it('stops by itself when its stdin closes (the parent is gone)', async () => {
    const dir = await tempDir()
    const p = await startProcess(['--dir', dir, '--exit-with-stdin'])
    p.child.stdin!.end()
    assert.equal(await exitOf(p.child), 0)
    assert.match(p.stderr(), /stdin closed, stopping/)
  })

  it('runs the pairing service with --pairing (GET /v1/pair says so), and without it not', async () => {
    for (const [flags, enabled] of [
      [['--pairing'], true],
      [[], false]
    ] as const) {
      const dir = await tempDir()
      const p = await startProcess(['--dir', dir, ...flags])
      const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
      const res = await fetch(`${p.line.api}/v1/pair`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(((await res.json()) as { enabled: boolean }).enabled, enabled)
      p.child.kill('SIGTERM')
      assert.equal(await exitOf(p.child), 0)
    }
  })

  it('refuses a bad flag with a JSON line naming it', async () => {
    const dir = await tempDir()
    const p = await startProcess(['--dir', dir, '--data-shards', 'many'])
    assert.equal(p.line.ready, false)
    assert.match(p.line.error!.message, /--data-shards must be an integer/)
    assert.equal(await exitOf(p.child), 1)
  })
})
