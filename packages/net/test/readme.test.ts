// The README's protocol-kit example is examples/request-response.ts as written; run it.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'

const root = join(import.meta.dirname, '..')

it('the README protocol-kit example is the example file, and it runs', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const kit = readme.slice(readme.indexOf('## Protocol kit'))
  const block = /```ts\n([\s\S]*?)```/.exec(kit)?.[1]
  assert.ok(block !== undefined, 'the protocol kit section has a ts block')
  const example = await readFile(join(root, 'examples', 'request-response.ts'), 'utf8')
  assert.ok(example.endsWith(block), 'the README block is the end of the example file')
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@defs/source', join(root, 'examples', 'request-response.ts')],
    { timeout: 60_000 }
  )
  assert.equal(stdout.trim(), 'HELLO')
})
