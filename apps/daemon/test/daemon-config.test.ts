// daemon.json: the choice of pairing is kept (true or false), anything else named in the error.
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { readDaemonConfig, writeDaemonConfig } from '../src/index.ts'

describe('daemon.json', () => {
  it('keeps pairing true or false, and refuses anything else naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-daemon-config-'))
    try {
      const api = { host: '127.0.0.1', port: 7420 }
      await writeDaemonConfig(dir, { version: 1, api, pairing: false })
      assert.deepEqual(await readDaemonConfig(dir), { version: 1, api, pairing: false })
      await writeDaemonConfig(dir, { version: 1, api })
      assert.equal((await readDaemonConfig(dir))?.pairing, undefined)
      await writeFile(join(dir, 'daemon.json'), JSON.stringify({ version: 1, api, pairing: 'no' }))
      await assert.rejects(readDaemonConfig(dir), {
        name: 'DaemonConfigError',
        message: /pairing must be true or false/
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
