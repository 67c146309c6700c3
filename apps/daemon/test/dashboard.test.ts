// The dashboard's side of the daemon, over real HTTP: its files served without credentials (and
// nothing else), a browser session traded for the token in an HttpOnly SameSite=Strict cookie,
// and the event stream the page follows, read with the typed client.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type DaemonEvent, DefsClient } from '@defs/client'
import type { TaskRecord } from '@defs/node'
import { buildDashboard } from '../scripts/build-dashboard.ts'
import { type Daemon, startDaemon } from '../src/daemon.ts'
import { FakeNode } from './fake-node.ts'

describe('dashboard routes, sessions and events', () => {
  let dir: string
  let daemon: Daemon
  const node = new FakeNode()

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-dashboard-'))
    await buildDashboard()
    daemon = await startDaemon({ dir, port: 0, createNode: async () => node })
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the page and its hashed assets without credentials, and nothing else', async () => {
    const page = await fetch(`${daemon.url}/`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type')!, /text\/html/)
    assert.equal(page.headers.get('cache-control'), 'no-cache')
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/)
    assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'none'/)
    const html = await page.text()
    const script = /src="\/assets\/(app-\w+\.js)"/.exec(html)?.[1]
    assert.ok(script !== undefined, 'the page names its script by hash')
    const js = await fetch(`${daemon.url}/assets/${script}`)
    assert.equal(js.status, 200)
    assert.match(js.headers.get('cache-control')!, /immutable/)
    assert.ok((await js.text()).length > 1000)
    // No way out of the assets, and every other path still needs credentials.
    for (const path of ['/assets/..%2Fapi-token', '/assets/.hidden']) {
      assert.equal((await fetch(`${daemon.url}${path}`)).status, 404, path)
    }
    assert.equal((await fetch(`${daemon.url}/index.html`)).status, 401)
    assert.equal((await fetch(`${daemon.url}/v1/status`)).status, 401)
  })

  it('trades the token for a session cookie, takes the cookie, and ends it', async () => {
    const wrong = await fetch(`${daemon.url}/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ token: 'f'.repeat(64) })
    })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.headers.get('set-cookie'), null)
    const res = await fetch(`${daemon.url}/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ token: daemon.token })
    })
    assert.equal(res.status, 200)
    const cookie = res.headers.get('set-cookie')!
    // named for the API's port: another node's dashboard on this host keeps its own
    const port = new URL(daemon.url).port
    assert.match(
      cookie,
      new RegExp(`^defs_session_${port}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200$`)
    )
    const session = cookie.split(';')[0]!
    assert.equal((await fetch(`${daemon.url}/v1/status`, { headers: { cookie: session } })).status, 200)
    // A made-up session is nobody's.
    const forged = `defs_session_${port}=${'A'.repeat(43)}`
    assert.equal((await fetch(`${daemon.url}/v1/status`, { headers: { cookie: forged } })).status, 401)
    // The session under another port's name is not this API's.
    const elsewhere = session.replace(`defs_session_${port}=`, 'defs_session_1=')
    assert.equal((await fetch(`${daemon.url}/v1/status`, { headers: { cookie: elsewhere } })).status, 401)
    const out = await fetch(`${daemon.url}/v1/session`, { method: 'DELETE', headers: { cookie: session } })
    assert.equal(out.status, 200)
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/)
    assert.equal((await fetch(`${daemon.url}/v1/status`, { headers: { cookie: session } })).status, 401)
  })

  it('streams what changes: status first, then tasks, peers and rotted shards as they happen', async () => {
    const client = new DefsClient({ url: daemon.url, token: daemon.token })
    const stop = new AbortController()
    const seen: DaemonEvent[] = []
    const reading = (async () => {
      for await (const e of client.events({ signal: stop.signal })) {
        seen.push(e)
        if (e.type === 'status') emit()
        if (e.type === 'shard:rotted') break
      }
    })()
    const task: TaskRecord = {
      id: 't1',
      kind: 'upload',
      state: 'running',
      priority: 0,
      created: Date.now(),
      updated: Date.now(),
      params: {},
      checkpoint: { secret: 'resume state' },
      progress: { bytesDone: 10, bytesTotal: 100, slicesDone: 0, shardsDone: 0, rate: 0 }
    }
    let emitted = false
    function emit(): void {
      if (emitted) return
      emitted = true
      // Progress within 250 ms of the last goes out once; a change of state always does.
      node.events.safeDispatchEvent('task', { detail: task })
      node.events.safeDispatchEvent('task', {
        detail: { ...task, progress: { ...task.progress, bytesDone: 20 } }
      })
      node.events.safeDispatchEvent('task', { detail: { ...task, state: 'done' } })
      node.events.safeDispatchEvent('peer:connect', { detail: { peerId: '12D3KooWPeerTwo' } })
      node.events.safeDispatchEvent('shard:rotted', {
        detail: { shardId: 'cd'.repeat(32), detail: 'crc', dropped: true }
      })
    }
    await Promise.race([
      reading,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no events in 10 s')), 10_000))
    ])
    stop.abort()
    assert.deepEqual(
      seen.map((e) => e.type),
      ['status', 'task', 'task', 'peer:connect', 'shard:rotted']
    )
    const [status, running, done, peer, rotted] = seen
    assert.equal(status!.type === 'status' && status!.data.peerId, node.peerId)
    assert.ok(
      running!.type === 'task' && running!.data.state === 'running' && running!.data.progress.bytesDone === 10
    )
    assert.ok(running!.type === 'task' && !('checkpoint' in running!.data), 'no checkpoint on the stream')
    assert.ok(done!.type === 'task' && done!.data.state === 'done')
    assert.ok(peer!.type === 'peer:connect' && peer!.data.peerId === '12D3KooWPeerTwo')
    assert.ok(rotted!.type === 'shard:rotted' && rotted!.data.dropped)
  })
})
