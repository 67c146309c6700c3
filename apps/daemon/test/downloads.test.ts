// POST /v1/downloads over a real node: the node writes the file to a path as a persisted task,
// followed through /v1/tasks; bad bodies are refused naming the field.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'

describe('POST /v1/downloads', () => {
  let dir: string
  let daemon: Daemon
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${daemon.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${daemon.token}`, ...init.headers }
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-downloads-'))
    daemon = await startDaemon({ dir: join(dir, 'node'), port: 0, node: { port: 0, workerNum: 1 } })
  })
  after(async () => {
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the file (or a range) to the path as a task and reports it done', async () => {
    const bytes = new Uint8Array(randomBytes(300_000))
    const put = (await (await api('/v1/files?name=a.bin', { method: 'POST', body: bytes })).json()) as {
      fileId: string
      capability: string
    }
    for (const [ref, range, want] of [
      [put.fileId, undefined, bytes],
      [put.capability, { offset: 1000, length: 5000 }, bytes.subarray(1000, 6000)]
    ] as const) {
      const path = join(dir, `out-${range === undefined ? 'whole' : 'range'}`)
      const res = await api('/v1/downloads', {
        method: 'POST',
        body: JSON.stringify({ ref, path, ...(range !== undefined ? { range } : {}) })
      })
      assert.equal(res.status, 202)
      const task = (await res.json()) as { id: string; kind: string; params: { ref: string } }
      assert.equal(task.kind, 'download')
      assert.equal(res.headers.get('location'), `/v1/tasks/${task.id}`)
      // The capability's key stays out of the task record.
      assert.equal(task.params.ref, put.fileId)
      let state = ''
      for (let i = 0; i < 200 && state !== 'done' && state !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50))
        state = ((await (await api(`/v1/tasks/${task.id}`)).json()) as { state: string }).state
      }
      assert.equal(state, 'done')
      assert.deepEqual(new Uint8Array(await readFile(path)), want)
    }
  })

  it('refuses a relative path and a bad range, naming the field', async () => {
    for (const [body, pattern] of [
      [{ ref: 'a'.repeat(32), path: 'relative/out' }, /body\.path must be an absolute path/],
      [{ ref: 'a'.repeat(32), path: '/tmp/x', range: { offset: -1, length: 2 } }, /body\.range must be/],
      [{ path: '/tmp/x' }, /body\.ref must be a file id or a capability/]
    ] as const) {
      const res = await api('/v1/downloads', { method: 'POST', body: JSON.stringify(body) })
      assert.equal(res.status, 400)
      assert.match(((await res.json()) as { error: { message: string } }).error.message, pattern)
    }
  })
})
