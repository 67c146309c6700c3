// The README's first lines, run as a user copies them: a home and a mirror on 127.0.0.1, alice
// mirrored, her home stopped, her home moved with her passphrase alone.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'
import { promisify } from 'node:util'

const root = join(import.meta.dirname, '..')

it('the README example runs as written', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(readme)?.[1]
  assert.ok(block !== undefined, 'the README has a ts block')
  const file = join(root, 'test', `readme-example-${process.pid}.ts`)
  await writeFile(file, block)
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@defs/source', file], {
      timeout: 60_000
    })
    assert.match(stdout, /^mirrored root 1\nhome moved true$/m)
  } finally {
    await rm(file, { force: true })
  }
})
