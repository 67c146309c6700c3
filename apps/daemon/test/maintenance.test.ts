// /v1/maintenance over a real node: on and off with NDJSON progress, the state in status and
// /metrics, and a refused upload that says 503, when to retry, and which mode refused it.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'

describe('/v1/maintenance', () => {
  let dir: string
  let daemon: Daemon
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${daemon.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${daemon.token}`, ...init.headers }
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-maintenance-'))
    daemon = await startDaemon({ dir: join(dir, 'node'), port: 0, node: { port: 0, workerNum: 1 } })
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('switches on with progress, refuses uploads with 503 naming the mode, reads on, and switches off', async () => {
    const body = new Uint8Array(randomBytes(50_000))
    const stored = (await (await api('/v1/files', { method: 'POST', body })).json()) as { fileId: string }
    const res = await api('/v1/maintenance?progress', { method: 'POST', body: JSON.stringify({ on: true }) })
    assert.equal(res.status, 200)
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { progress?: { phase: string }; result?: { state: string } })
    assert.equal(lines.at(-1)?.result?.state, 'on')
    assert.ok(lines.some((l) => l.progress?.phase === 'pausing'))
    assert.equal(((await (await api('/v1/maintenance')).json()) as { state: string }).state, 'on')
    assert.equal(((await (await api('/v1/status')).json()) as { state: string }).state, 'maintenance')
    const refused = await api('/v1/files', { method: 'POST', body })
    assert.equal(refused.status, 503)
    assert.equal(refused.headers.get('retry-after'), '60')
    const error = ((await refused.json()) as { error: { name: string; mode: string; since: number } }).error
    assert.equal(error.name, 'UnderMaintenanceError')
    assert.equal(error.mode, 'maintenance')
    assert.ok(error.since > 0)
    const read = await api(`/v1/files/${stored.fileId}`)
    assert.deepEqual(new Uint8Array(await read.arrayBuffer()), body)
    const metrics = await (await api('/metrics')).text()
    assert.match(metrics, /defs_node_state\{state="maintenance"\} 1/)
    const off = await api('/v1/maintenance', { method: 'POST', body: JSON.stringify({ on: false }) })
    assert.equal(((await off.json()) as { state: string }).state, 'off')
    assert.equal((await api('/v1/files', { method: 'POST', body })).status, 201)
  })

  it('refuses a body without a boolean', async () => {
    const res = await api('/v1/maintenance', { method: 'POST', body: JSON.stringify({ on: 'yes' }) })
    assert.equal(res.status, 400)
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /body\.on must be true or false/
    )
  })
})
