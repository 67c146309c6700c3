// The HTTP layer against an in-memory node: auth, routing, streaming, ranges, error mapping.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'
import { FakeNode } from './fake-node.ts'

describe('HTTP API', () => {
  let dir: string
  let daemon: Daemon
  const node = new FakeNode()
  const file = new Uint8Array(randomBytes(10_000))
  let fileId: string

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${daemon.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${daemon.token}`, ...init.headers }
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-daemon-'))
    daemon = await startDaemon({ dir, port: 0, createNode: async () => node })
    const res = await api('/v1/files?name=ten.bin&k=4&m=2', { method: 'POST', body: file })
    assert.equal(res.status, 201)
    fileId = ((await res.json()) as { fileId: string }).fileId
  })

  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers 401 and nothing else without the token, on every path', async () => {
    for (const [path, headers] of [
      ['/v1/status', {}],
      ['/v1/files', { authorization: 'Bearer nope' }],
      ['/metrics', {}],
      ['/no/such/route', {}]
    ] as const) {
      const res = await fetch(`${daemon.url}${path}`, { headers })
      assert.equal(res.status, 401, path)
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="defs"')
      assert.deepEqual(await res.json(), {
        error: { name: 'UnauthorizedError', message: 'missing or wrong API token', status: 401 }
      })
    }
  })

  it('refuses an upload without the token before storing anything', async () => {
    const before = node.stored.size
    const res = await fetch(`${daemon.url}/v1/files`, { method: 'POST', body: file })
    assert.equal(res.status, 401)
    assert.equal(node.stored.size, before)
  })

  it('uploads a stream and downloads it back byte for byte', async () => {
    const res = await api(`/v1/files/${fileId}`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-length'), String(file.length))
    assert.equal(res.headers.get('accept-ranges'), 'bytes')
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), file)
  })

  it('reads by capability as by id', async () => {
    const res = await api(`/v1/files/${encodeURIComponent(`defs:${fileId}:${'cd'.repeat(32)}`)}`)
    assert.equal(res.status, 200)
    assert.equal((await res.arrayBuffer()).byteLength, file.length)
  })

  it('serves single ranges with 206 and Content-Range, and 416 past the end', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 100],
      ['bytes=9990-', 9990, 10],
      ['bytes=-7', 9993, 7],
      ['bytes=5000-99999', 5000, 5000]
    ]
    for (const [range, offset, length] of cases) {
      const res = await api(`/v1/files/${fileId}`, { headers: { range } })
      assert.equal(res.status, 206, range)
      assert.equal(res.headers.get('content-range'), `bytes ${offset}-${offset + length - 1}/${file.length}`)
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), file.slice(offset, offset + length), range)
    }
    const res = await api(`/v1/files/${fileId}`, { headers: { range: 'bytes=10000-' } })
    assert.equal(res.status, 416)
    assert.equal(res.headers.get('content-range'), `bytes */${file.length}`)
    assert.equal(((await res.json()) as { error: { name: string } }).error.name, 'RangeNotSatisfiableError')
    const multi = await api(`/v1/files/${fileId}`, { headers: { range: 'bytes=0-1,4-5' } })
    assert.equal(multi.status, 200)
    assert.equal((await multi.arrayBuffer()).byteLength, file.length)
  })

  it('answers HEAD with the size and no body', async () => {
    const res = await api(`/v1/files/${fileId}`, { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-length'), String(file.length))
    assert.equal(res.headers.get('x-defs-file-id'), fileId)
  })

  it('lists, describes and checks files', async () => {
    const list = (await (await api('/v1/files')).json()) as { files: { fileId: string; name: string }[] }
    assert.ok(list.files.some((f) => f.fileId === fileId && f.name === 'ten.bin'))
    const info = (await (await api(`/v1/files/${fileId}/info`)).json()) as { size: number }
    assert.equal(info.size, file.length)
    const health = (await (await api(`/v1/files/${fileId}/health`)).json()) as {
      readable: boolean
      minLive: number
    }
    assert.deepEqual([health.readable, health.minLive], [true, 6])
  })

  it('names the bad query parameter with 400', async () => {
    for (const [query, pattern] of [
      ['k=abc', /query k must be an integer in 1\.\.100, got "abc"/],
      ['m=0', /query m/],
      ['mode=raid5', /query mode must be one of auto, file/],
      ['colour=blue', /unknown query parameter "colour"/],
      ['progress=xml', /query progress/]
    ] as const) {
      const res = await api(`/v1/files?${query}`, { method: 'POST', body: 'x' })
      assert.equal(res.status, 400, query)
      const body = (await res.json()) as { error: { name: string; message: string; status: number } }
      assert.equal(body.error.name, 'BadRequestError')
      assert.equal(body.error.status, 400)
      assert.match(body.error.message, pattern)
    }
  })

  it('maps node errors to statuses by name', async () => {
    const missing = await api(`/v1/files/${'0'.repeat(31)}f`)
    assert.equal(missing.status, 404)
    assert.equal(((await missing.json()) as { error: { name: string } }).error.name, 'FileNotFoundError')
    const peers = await api('/v1/files?k=10&m=4', { method: 'POST', body: 'x' })
    assert.equal(peers.status, 503)
    assert.match(((await peers.json()) as { error: { message: string } }).error.message, /needs 14 peers/)
  })

  it('answers a file with too many lost shards with 503 TooFewShardsError, not a short 200', async () => {
    const res = await api('/v1/files?name=doomed', { method: 'POST', body: 'doomed bytes' })
    const doomed = ((await res.json()) as { fileId: string }).fileId
    node.lose(doomed, 3)
    const get = await api(`/v1/files/${doomed}`)
    assert.equal(get.status, 503)
    assert.deepEqual(await get.json(), {
      error: { name: 'TooFewShardsError', message: 'slice 0: have 3 shards, need 4', status: 503 }
    })
  })

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const res = await api('/v2/files')
    assert.equal(res.status, 404)
    assert.equal(((await res.json()) as { error: { name: string } }).error.name, 'RouteNotFoundError')
    const put = await api('/v1/status', { method: 'PUT' })
    assert.equal(put.status, 405)
    assert.equal(put.headers.get('allow'), 'GET')
  })

  it('streams NDJSON progress lines and then the result', async () => {
    const res = await api('/v1/files?progress=ndjson', { method: 'POST', body: file })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson')
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { progress?: unknown; result?: { size: number } })
    assert.equal(lines.at(-1)?.result?.size, file.length)
  })

  it('lists tasks and refuses to pause a finished one with 409', async () => {
    const { tasks } = (await (await api('/v1/tasks')).json()) as { tasks: { id: string; state: string }[] }
    assert.ok(tasks.length >= 1)
    const one = await api(`/v1/tasks/${tasks[0]!.id}`)
    assert.equal(((await one.json()) as { id: string }).id, tasks[0]!.id)
    const pause = await api(`/v1/tasks/${tasks[0]!.id}/pause`, { method: 'POST' })
    assert.equal(pause.status, 409)
    assert.equal(((await pause.json()) as { error: { name: string } }).error.name, 'TaskStateError')
    const unknown = await api('/v1/tasks/nope/cancel', { method: 'POST' })
    assert.equal(unknown.status, 404)
  })

  it('pauses, resumes and cancels a running task', async () => {
    const now = Date.now()
    const progress = { bytesDone: 0, slicesDone: 0, shardsDone: 0, rate: 0 }
    node.taskList.push({
      id: 'live',
      kind: 'repair',
      state: 'running',
      priority: 0,
      created: now,
      updated: now,
      params: {},
      progress
    })
    for (const [action, state] of [
      ['pause', 'paused'],
      ['resume', 'queued'],
      ['cancel', 'cancelled']
    ]) {
      const res = await api(`/v1/tasks/live/${action}`, { method: 'POST' })
      assert.equal(res.status, 200, action)
      assert.equal(((await res.json()) as { state: string }).state, state)
    }
  })

  it('reports status with quota, and peers with scores', async () => {
    const status = (await (await api('/v1/status')).json()) as { peerId: string; quota: { maxBytes: number } }
    assert.equal(status.peerId, node.peerId)
    assert.equal(status.quota.maxBytes, 10 * 2 ** 30)
    const { peers } = (await (await api('/v1/peers')).json()) as { peers: { score: number }[] }
    assert.deepEqual(
      peers.map((p) => p.score),
      [0.9, 0.5]
    )
  })

  it('joins a peer by multiaddr and refuses a body without one', async () => {
    const ok = await api('/v1/peers', {
      method: 'POST',
      body: JSON.stringify({ address: '/ip4/127.0.0.1/tcp/9/p2p/X' })
    })
    assert.equal(ok.status, 200)
    assert.deepEqual(node.connected, ['/ip4/127.0.0.1/tcp/9/p2p/X'])
    const bad = await api('/v1/peers', { method: 'POST', body: '{"address": 5}' })
    assert.equal(bad.status, 400)
    const notJson = await api('/v1/peers', { method: 'POST', body: '{' })
    assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not valid JSON/)
  })

  it('exposes Prometheus metrics fed by the traffic', async () => {
    const res = await api('/metrics')
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/)
    const text = await res.text()
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    assert.ok(value('defs_received_bytes_total') >= file.length * 2)
    assert.ok(value('defs_served_bytes_total') >= file.length)
    assert.equal(value('defs_peers'), 2)
    assert.ok(value('defs_stored_bytes') > 0)
    assert.match(text, /defs_tasks\{state="done"\} \d+/)
    assert.match(text, /defs_errors_total\{kind="FileNotFoundError"\} \d+/)
    assert.match(text, /defs_http_requests_total\{method="GET",route="\/v1\/files\/:ref",status="200"\} \d+/)
    assert.match(text, /process_cpu_user_seconds_total/)
  })

  it('records the bound port in daemon.json and logs requests to logDir', async () => {
    const config = JSON.parse(await readFile(join(dir, 'daemon.json'), 'utf8')) as { api: { port: number } }
    assert.equal(`http://127.0.0.1:${config.api.port}`, daemon.url)
    const log = await readFile(join(dir, 'logs', 'current.log'), 'utf8')
    assert.match(log, /"event":"daemon_started"/)
    assert.match(log, /"route":"\/v1\/files\/:ref","status":200/)
    assert.doesNotMatch(log, /cdcdcdcd/, 'capability keys never reach the log')
    // pino-roll's rotated files, with a link to the one being written; owner-only.
    const current = join(dir, 'logs', 'current.log')
    assert.ok((await lstat(current)).isSymbolicLink())
    assert.match(await readlink(current), /daemon\.\d+\.log$/)
    assert.equal((await stat(current)).mode & 0o777, 0o600)
    assert.equal((await stat(join(dir, 'api-token'))).mode & 0o777, 0o600)
  })

  it("logs the node's own events: a rotted shard dropped, a lifecycle change", async () => {
    node.events.safeDispatchEvent('shard:rotted', {
      detail: { shardId: 'ab'.repeat(32), detail: 'crc32c mismatch', dropped: true }
    })
    node.events.safeDispatchEvent('lifecycle', {
      detail: { state: 'maintenance', previous: 'running', since: Date.now() }
    })
    const logged = async () => await readFile(join(dir, 'logs', 'current.log'), 'utf8')
    const until = Date.now() + 5000
    while (!/"event":"lifecycle"/.test(await logged()) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20))
    const log = await logged()
    assert.match(log, new RegExp(`"event":"shard_rotted".*"shardId":"${'ab'.repeat(32)}".*"dropped":true`))
    assert.match(log, /"event":"lifecycle".*"state":"maintenance","previous":"running"/)
  })

  it('refuses, with the token or without, a request naming another host or coming from another site', async () => {
    const port = new URL(daemon.url).port
    /** A raw request with the headers a browser would send, the token included (a page cannot
     * have it, but a refusal must not depend on that). */
    const send = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: { error: { name: string; message: string } } }>(
        (resolve, reject) => {
          const req = request(
            `${daemon.url}/v1/status`,
            { headers: { authorization: `Bearer ${daemon.token}`, ...headers } },
            async (res) => {
              let text = ''
              for await (const chunk of res) text += chunk
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) })
            }
          )
          req.on('error', reject)
          req.end()
        }
      )
    // DNS rebinding: a site's own name resolved to 127.0.0.1; a wrong port; no Host at all.
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      `127.0.0.1.evil.example:${port}`
    ]) {
      const res = await send({ host })
      assert.equal(res.status, 403, host)
      assert.equal(res.body.error.name, 'ForbiddenHostError', host)
    }
    // CSRF: another site's page, a sandboxed page ("null"), this host over https.
    for (const origin of ['https://evil.example', 'null', `https://127.0.0.1:${port}`]) {
      const res = await send({ origin })
      assert.equal(res.status, 403, origin)
      assert.equal(res.body.error.name, 'CrossOriginError', origin)
    }
    // The API's own page, and a client that is no browser, by every loopback name.
    for (const headers of [
      { origin: `http://127.0.0.1:${port}` } as Record<string, string>,
      { host: `localhost:${port}` },
      { host: `[::1]:${port}`, origin: `http://localhost:${port}` }
    ]) {
      assert.equal((await send(headers)).status, 200, JSON.stringify(headers))
    }
  })

  it('closes an unauthenticated upload without reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${daemon.url}/v1/files`, { method: 'POST' }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.write(Buffer.alloc(64 * 1024))
    })
    assert.equal(status, 401)
  })
})

describe('daemon lifecycle', () => {
  it('stops the node and refuses connections afterwards', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-daemon-'))
    const node = new FakeNode()
    try {
      const daemon = await startDaemon({ dir, port: 0, createNode: async () => node })
      await daemon.stop()
      await daemon.stop()
      assert.equal(node.stopped, true)
      await assert.rejects(fetch(`${daemon.url}/v1/status`))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a non-loopback API host', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-daemon-'))
    try {
      await assert.rejects(startDaemon({ dir, host: '0.0.0.0', createNode: async () => new FakeNode() }), {
        name: 'DaemonConfigError',
        message: /loopback/
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('names a taken API port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-daemon-'))
    const other = await mkdtemp(join(tmpdir(), 'defs-daemon-'))
    const first = await startDaemon({ dir, port: 0, createNode: async () => new FakeNode() })
    const node = new FakeNode()
    try {
      const port = Number(new URL(first.url).port)
      await assert.rejects(startDaemon({ dir: other, port, createNode: async () => node }), {
        name: 'ApiPortInUseError'
      })
      assert.equal(node.stopped, true)
    } finally {
      await first.stop()
      await rm(dir, { recursive: true, force: true })
      await rm(other, { recursive: true, force: true })
    }
  })
})
