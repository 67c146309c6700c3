// Input files of random bytes for scenario benchmarks, and the --size flag they share.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'

export const MiB = 1024 * 1024

/** --size 256MiB,1GiB (or `fallback`); --quick is 64 MiB. */
export function sizesFrom(args: string[], fallback: number[]): number[] {
  if (args.includes('--quick')) return [64 * MiB]
  const at = args.indexOf('--size')
  if (at >= 0 && args[at + 1] !== undefined) {
    return args[at + 1]!.split(',').map((s) => {
      const m = /^(\d+)(MiB|GiB)$/.exec(s)
      if (m === null) throw new RangeError(`--size takes sizes like 256MiB,1GiB, got ${s}`)
      return Number(m[1]) * (m[2] === 'GiB' ? 1024 * MiB : MiB)
    })
  }
  return fallback
}

/** Writes `size` random bytes to `path`; returns their SHA-256 (hex). */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(path)
  for (let done = 0; done < size; ) {
    const chunk = randomBytes(Math.min(8 * MiB, size - done))
    hash.update(chunk)
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()))
    done += chunk.length
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve()))
  )
  return hash.digest('hex')
}

export function label(size: number): string {
  return size >= 1024 * MiB ? `${size / (1024 * MiB)}GiB` : `${size / MiB}MiB`
}
