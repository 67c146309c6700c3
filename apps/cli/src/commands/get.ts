// defs get ID|CAPABILITY [-o OUT]: stream a file back from the network. To a file it is written
// beside OUT and renamed at the end, so OUT is never a torn half; to stdout when piped.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatDuration, formatRate } from '../format.ts'
import { note, printJson, printLine } from '../output.ts'
import { ProgressBar } from '../progress-bar.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'get', description: 'Read a file back by id or capability' },
  args: {
    ref: {
      type: 'positional',
      required: true,
      description: 'file id, or capability defs:<id>:<key>',
      valueHint: 'ID|CAPABILITY'
    },
    output: {
      type: 'string',
      alias: 'o',
      description: 'write to this file (default: stdout, when piped)',
      valueHint: 'OUT'
    },
    range: {
      type: 'string',
      description: 'only bytes START-END (inclusive) or START-',
      valueHint: 'START-END'
    },
    ...clientArgs
  },
  async run({ args }) {
    const toStdout = args.output === undefined || args.output === '-'
    if (toStdout && process.stdout.isTTY)
      throw new UserError('refusing to write file bytes to a terminal; use -o FILE or a pipe')
    if (toStdout && args.json) throw new UserError('--json needs -o FILE (stdout carries the file)')
    const range = args.range === undefined ? undefined : parseRangeFlag(args.range)
    const client = await connect(args)
    const bar = new ProgressBar(
      `get ${basename(args.output ?? args.ref).slice(0, 40)}`,
      undefined,
      process.stderr
    )
    let total: number | undefined
    const hash = createHash('sha256')
    let bytes = 0
    const started = performance.now()
    async function* counted(): AsyncIterable<Uint8Array> {
      const chunks = client.download(args.ref, {
        ...(range ? { range } : {}),
        onStart: (length) => {
          total = length
          bar.setTotal(length)
        }
      })
      for await (const chunk of chunks) {
        bytes += chunk.length
        hash.update(chunk)
        bar.update(bytes)
        yield chunk
      }
    }
    const target = toStdout ? undefined : args.output!
    const temp =
      target === undefined
        ? undefined
        : join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.part`)
    try {
      await pipeline(counted(), temp === undefined ? stdoutSink() : createWriteStream(temp, { mode: 0o644 }))
      if (temp !== undefined) await rename(temp, target!)
    } catch (err) {
      if (temp !== undefined) await rm(temp, { force: true })
      throw err
    } finally {
      bar.finish()
    }
    const ms = performance.now() - started
    const sha256 = hash.digest('hex')
    if (target === undefined) {
      if (process.stderr.isTTY) note(`read ${formatBytes(bytes)} in ${formatDuration(ms)}`)
      return
    }
    if (args.json)
      return printJson({ ref: args.ref, path: target, bytes, sha256, seconds: ms / 1000, expected: total })
    printLine(
      `wrote ${formatBytes(bytes)} to ${target} in ${formatDuration(ms)}, ${formatRate((bytes * 1000) / ms)}`
    )
    printLine(`  sha256  ${sha256}`)
  }
})

/** "100-199" -> offset 100, length 100; "100-" -> from 100 to the end. */
export function parseRangeFlag(text: string): { offset: number; length?: number } {
  const m = /^(\d+)-(\d*)$/.exec(text.trim())
  if (m === null)
    throw new UserError(`--range must be START-END or START- (bytes, inclusive), got ${JSON.stringify(text)}`)
  const offset = Number(m[1])
  if (m[2] === '') return { offset }
  const end = Number(m[2])
  if (end < offset) throw new UserError(`--range end ${end} is before its start ${offset}`)
  return { offset, length: end - offset + 1 }
}

/** stdout as a pipeline target that is never closed (other output may follow). */
function stdoutSink(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      if (process.stdout.write(chunk)) done()
      else process.stdout.once('drain', () => done())
    }
  })
}
