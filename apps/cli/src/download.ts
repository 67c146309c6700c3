// A file (or a range) streamed from the daemon to stdout (`defs cat`, `defs get -o -`): counted
// and hashed. Into a file, the daemon writes it itself as a download task (get.ts).
import { createHash } from 'node:crypto'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ApiClient } from './client.ts'
import { UserError } from './user-error.ts'

export interface Downloaded {
  bytes: number
  sha256: string
  /** Bytes the daemon said the download would produce. */
  expected?: number
  ms: number
}

export type ByteRangeFlag = { offset: number; length?: number }

/** Streams `ref` (or a range of it) to stdout. */
export async function download(
  client: ApiClient,
  ref: string,
  range: ByteRangeFlag | undefined
): Promise<Downloaded> {
  let expected: number | undefined
  const hash = createHash('sha256')
  let bytes = 0
  const started = performance.now()
  async function* counted(): AsyncIterable<Uint8Array> {
    const chunks = client.download(ref, {
      ...(range ? { range } : {}),
      onStart: (length) => {
        expected = length
      }
    })
    for await (const chunk of chunks) {
      bytes += chunk.length
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeline(counted(), stdoutSink())
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
