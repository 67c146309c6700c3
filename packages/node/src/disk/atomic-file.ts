// Crash-safe file writes: a reader sees the old bytes or the new bytes, never a torn mix.
// Write a temp file beside the target, fsync it, rename over the target, fsync the directory
// (so the rename itself survives a power cut).
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface AtomicWriteOptions {
  /** Unix permissions of the new file, e.g. 0o600 for secrets. */
  mode?: number
  /** Where the temp file goes; must be on the same filesystem as the target. Default: beside it. */
  tmpDir?: string
}

export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | readonly Uint8Array[],
  options: AtomicWriteOptions = {}
): Promise<void> {
  const dir = dirname(path)
  const tmpDir = options.tmpDir ?? dir
  await mkdir(dir, { recursive: true })
  const tmp = join(tmpDir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', options.mode ?? 0o644)
  try {
    // Pieces go out in one writev (libuv writes them all), not joined into one buffer first.
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data)
    else await handle.writev(data)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(tmp, { force: true })
    throw err
  }
  await handle.close()
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await syncDirectory(dir)
}

/** fsync a directory so a rename or unlink in it is durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
