// The mirror's state and blobs on the node's disk, under <dir>/mirror/: one file per key, each
// written temp + fsync + rename (writeFileAtomic), so a crash leaves the old record or the new.
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlobStore, StateStore } from '@defs/mirror'
import { writeFileAtomic } from '../disk/atomic-file.ts'

/** Keys are `<kind>/<hex id>`; on disk `<kind>~<hex id>`, one flat directory. */
const fileOf = (key: string): string => {
  if (!/^[a-z]+\/[0-9a-f]{1,140}$/.test(key))
    throw new RangeError(`mirror state key must be <kind>/<hex>, got ${key}`)
  return key.replace('/', '~')
}

async function readOrUndefined(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export function diskStateStore(dir: string): StateStore {
  return {
    get: (key) => readOrUndefined(join(dir, fileOf(key))),
    put: (key, value) => writeFileAtomic(join(dir, fileOf(key)), value, { mode: 0o600 }),
    delete: (key) => rm(join(dir, fileOf(key)), { force: true }),
    async keys(prefix) {
      const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [] as string[]
        throw err
      })
      return names
        .filter((n) => !n.startsWith('.'))
        .map((n) => n.replace('~', '/'))
        .filter((k) => k.startsWith(prefix))
    }
  }
}

export function diskBlobStore(dir: string): BlobStore {
  const path = (id: string): string => {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new RangeError(`blob id must be 64 hex chars, got ${id}`)
    return join(dir, id)
  }
  return {
    has: async (id) => (await readOrUndefined(path(id))) !== undefined,
    get: (id) => readOrUndefined(path(id)),
    put: (id, bytes) => writeFileAtomic(path(id), bytes)
  }
}
