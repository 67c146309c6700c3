// One process per node directory. Two processes on one directory would both append to the same
// stores and corrupt them, so the second one is refused with the pid of the first.
// A lock left by a process that died (SIGKILL, power cut) is stale: its pid no longer runs, and
// the next start takes the lock over.
import { open, readFile, rm } from 'node:fs/promises'
import { DirectoryLockedError } from '../errors.ts'

export interface DirectoryLock {
  readonly path: string
  release(): Promise<void>
}

export async function lockDirectory(dir: string, lockPath: string): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o644)
      await handle.writeFile(`${process.pid}\n`)
      await handle.sync()
      await handle.close()
      let released = false
      return {
        path: lockPath,
        async release() {
          if (released) return
          released = true
          await rm(lockPath, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = await readHolder(lockPath)
    if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
      throw new DirectoryLockedError(dir, holder)
    }
    if (holder === process.pid) throw new DirectoryLockedError(dir, holder)
    // Stale: the holder is gone. Remove and try once more (another starter may win the race).
    await rm(lockPath, { force: true })
  }
  const holder = (await readHolder(lockPath)) ?? -1
  throw new DirectoryLockedError(dir, holder)
}

async function readHolder(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(lockPath, 'utf8')).trim(), 10)
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
