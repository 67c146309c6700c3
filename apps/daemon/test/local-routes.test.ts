// POST /v1/uploads (the daemon reads the file by path) and GET /v1/version, over real HTTP.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'
import { FakeNode } from './fake-node.ts'

describe('local routes', () => {
  let dir: string
  let daemon: Daemon
  const node = new FakeNode()
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${daemon.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-local-routes-'))
    daemon = await startDaemon({ dir: join(dir, 'node'), port: 0, createNode: async () => node })
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('says its version and pid', async () => {
    const res = await call('GET', '/v1/version')
    assert.equal(res.status, 200)
    const body = (await res.json()) as { version: string; pid: number }
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    assert.deepEqual([body.version, body.pid], [pkg.version, process.pid])
  })

  it('stores a file it reads by path, with the code asked for, and answers NDJSON', async () => {
    const file = join(dir, 'local.bin')
    const data = randomBytes(70_000)
    await writeFile(file, data)
    const res = await call('POST', '/v1/uploads', { path: file, k: 3, m: 2, name: 'local.bin' })
    assert.equal(res.status, 200)
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const { result } = lines.at(-1) as { result: { fileId: string; size: number; dataShards: number } }
    assert.deepEqual([result.size, result.dataShards], [data.length, 3])
    const back = await call('GET', `/v1/files/${result.fileId}`)
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), data)
  })

  it('refuses a relative path, a missing file, a directory and a bad code before storing', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ path: 'local.bin' }, 400, /body\.path must be an absolute path/],
      [{ path: join(dir, 'missing.bin') }, 404, /cannot read .*missing\.bin \(ENOENT\)/],
      [{ path: dir }, 400, /is not a regular file/],
      [{ path: join(dir, 'local.bin'), k: 0 }, 400, /k must be an integer in 1\.\.100/],
      [{ path: join(dir, 'local.bin'), color: 'red' }, 400, /unknown query parameter "color"/]
    ]
    await mkdir(dir, { recursive: true })
    for (const [body, status, message] of cases) {
      const res = await call('POST', '/v1/uploads', body)
      assert.equal(res.status, status, JSON.stringify(body))
      assert.match(((await res.json()) as { error: { message: string } }).error.message, message)
    }
  })

  it("answers a capability only through the node's shares service, and 404 for an unknown file", async () => {
    // The fake node has no services (the real one is in the CLI's devnet test).
    const [stored] = await node.files.list()
    const res = await call('GET', `/v1/files/${stored!.fileId}/capability`)
    assert.equal(res.status, 501)
    const unknown = await call('GET', `/v1/files/${'e'.repeat(32)}/capability`)
    assert.equal(unknown.status, 404)
  })
})
