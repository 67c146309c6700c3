import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'

it('the README example forms a pair of two real hosts and prints its epoch', async () => {
  const example = join(import.meta.dirname, '..', 'examples', 'pair-two.ts')
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@defs/source', example], {
    timeout: 60_000
  })
  assert.equal(stdout.trim(), '1 true')
})
