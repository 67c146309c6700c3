// The README's protocol-kit example is examples/request-response.ts as written; run it.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { it } from 'node:test'

const root = join(import.meta.dirname, '..')
const isDeno = 'Deno' in globalThis

/** Runs the example with the runtime running this test; gives its stdout once it exits. Under Deno
 * a process that created a libp2p host does not exit after `stop()` (a single host, never dialled,
 * keeps it alive too), so there the output is taken once it holds a line and the child is killed:
 * the answer is what this test checks on every runtime, a clean exit on Node and Bun. */
async function runExample(file: string): Promise<string> {
  // Deno needs its `run` subcommand (bare, it is a REPL).
  const args = [...(isDeno ? ['run', '-A', '--no-check'] : []), '--conditions=@defs/source', file]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  try {
    return await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text
        if (isDeno && stdout.includes('\n')) resolve(stdout)
      })
      child.on('error', reject)
      child.on('exit', (code, signal) =>
        code === 0 ? resolve(stdout) : reject(new Error(`example exited ${code ?? signal}: ${stdout}`))
      )
    })
  } finally {
    clearTimeout(timer)
    child.kill('SIGKILL')
  }
}

it('the README protocol-kit example is the example file, and it runs', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8')
  const kit = readme.slice(readme.indexOf('## Protocol kit'))
  const block = /```ts\n([\s\S]*?)```/.exec(kit)?.[1]
  assert.ok(block !== undefined, 'the protocol kit section has a ts block')
  const example = await readFile(join(root, 'examples', 'request-response.ts'), 'utf8')
  assert.ok(example.endsWith(block), 'the README block is the end of the example file')
  const stdout = await runExample(join(root, 'examples', 'request-response.ts'))
  assert.equal(stdout.trim(), 'HELLO')
})
