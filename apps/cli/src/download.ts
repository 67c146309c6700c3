// A file (or a range) from the daemon into a writable: counted, hashed, with a progress bar.
// To a path it goes to a temp file beside it, renamed at the end, so the path never holds half.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ApiClient } from './client.ts'
import { ProgressBar } from './progress-bar.ts'
import { UserError } from './user-error.ts'

export interface Downloaded {
  bytes: number
  sha256: string
  /** Bytes the daemon said the download would produce. */
  expected?: number
  ms: number
}

export type ByteRangeFlag = { offset: number; length?: number }

/** Downloads `ref` to `target` (a path), or to stdout when target is undefined. */
export async function download(
  client: ApiClient,
  ref: string,
  target: string | undefined,
  range: ByteRangeFlag | undefined,
  progress: boolean
): Promise<Downloaded> {
  const bar = new ProgressBar(
    `get ${basename(target ?? ref).slice(0, 40)}`,
    undefined,
    progress ? process.stderr : undefined
  )
  let expected: number | undefined
  const hash = createHash('sha256')
  let bytes = 0
  const started = performance.now()
  async function* counted(): AsyncIterable<Uint8Array> {
    const chunks = client.download(ref, {
      ...(range ? { range } : {}),
      onStart: (length) => {
        expected = length
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
  return {
    bytes,
    sha256: hash.digest('hex'),
    ms: performance.now() - started,
    ...(expected === undefined ? {} : { expected })
  }
}

/** "100-199" -> offset 100, length 100; "100-" -> from 100 to the end. */
export function parseRangeFlag(text: string): ByteRangeFlag {
  const m = /^(\d+)-(\d*)$/.exec(text.trim())
  if (m === null)
    throw new UserError(`--range must be START-END or START- (bytes, inclusive), got ${JSON.stringify(text)}`)
  const offset = Number(m[1])
  if (m[2] === '') return { offset }
  const end = Number(m[2])
  if (end < offset) throw new UserError(`--range end ${end} is before its start ${offset}`)
  return { offset, length: end - offset + 1 }
}

export const rangeArg = {
  range: { type: 'string', description: 'only bytes START-END (inclusive) or START-', valueHint: 'START-END' }
} as const

/** stdout as a pipeline target that is never closed (other output may follow). */
function stdoutSink(): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      if (process.stdout.write(chunk)) done()
      else process.stdout.once('drain', () => done())
    }
  })
}
