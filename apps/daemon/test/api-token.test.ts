import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { apiTokenPath, bearerMatches, ensureApiToken, readApiToken } from '../src/api-token.ts'

describe('api token', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'defs-token-'))
  after(() => rm(dir, { recursive: true, force: true }))

  it('is created once as 64 hex digits, readable by the owner only', async () => {
    const token = await ensureApiToken(dir)
    assert.match(token, /^[0-9a-f]{64}$/)
    assert.equal((await stat(apiTokenPath(dir))).mode & 0o777, 0o600)
    assert.equal(await ensureApiToken(dir), token)
    assert.equal(await readApiToken(dir), token)
  })

  it('is refused when others can read it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'defs-token-'))
    try {
      await writeFile(apiTokenPath(other), `${'a'.repeat(64)}\n`)
      await chmod(apiTokenPath(other), 0o644)
      await assert.rejects(readApiToken(other), { name: 'TokenFileError', message: /chmod 600/ })
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('matches only the exact bearer token', () => {
    const token = 'f'.repeat(64)
    assert.equal(bearerMatches(`Bearer ${token}`, token), true)
    assert.equal(bearerMatches(`Bearer ${'e'.repeat(64)}`, token), false)
    assert.equal(bearerMatches(`Bearer ${token}x`, token), false)
    assert.equal(bearerMatches(token, token), false)
    assert.equal(bearerMatches(undefined, token), false)
    assert.equal(bearerMatches('Bearer ', ''), false)
  })
})
