import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ensureApiToken, writeDaemonConfig } from '@defs/daemon'
import { connect, nodeDirectory } from '../src/connect.ts'

describe('connect', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'defs-connect-'))
  after(() => rm(dir, { recursive: true, force: true }))
  await writeDaemonConfig(dir, { version: 1, api: { host: '127.0.0.1', port: 7777 }, node: {} })
  const token = await ensureApiToken(dir)

  it('prefers flags, then DEFS_API/DEFS_TOKEN, then the node directory', async () => {
    assert.equal((await connect({ api: 'http://127.0.0.1:1', token: 'x' })).url, 'http://127.0.0.1:1')
    assert.equal(
      (await connect({}, { DEFS_API: 'http://127.0.0.1:2', DEFS_TOKEN: 'y' })).url,
      'http://127.0.0.1:2'
    )
    assert.equal((await connect({ dir })).url, 'http://127.0.0.1:7777')
    assert.equal((await connect({}, { DEFS_DIR: dir, DEFS_API: '' })).url, 'http://127.0.0.1:7777')
    assert.equal(token.length, 64)
  })

  it('says what is missing', async () => {
    await assert.rejects(connect({ dir: join(dir, 'nope') }), {
      name: 'UserError',
      message: /no daemon configured/
    })
    await assert.rejects(connect({ api: 'http://127.0.0.1:1', dir: join(dir, 'nope') }), {
      name: 'UserError',
      message: /no API token/
    })
    await assert.rejects(connect({ api: 'localhost:7420', token: 'x' }), { message: /--api must be a URL/ })
  })

  it('defaults the node directory to ~/.defs', () => {
    assert.match(nodeDirectory(undefined, {}), /\.defs$/)
    assert.equal(nodeDirectory('/x/y', { DEFS_DIR: '/z' }), '/x/y')
  })
})
