// How far a sync of one user got, kept in the state store so a sync cut off (a restart, a lost
// connection) resumes where it stopped: the root seq it was copying towards and the files whose
// manifest and k shards per slice are stored. A new target root keeps the progress too: a file
// done is done whatever root names it.
import type { StateStore } from './state-store.ts'

export interface SyncProgress {
  /** The root seq being copied towards. */
  seq: number
  /** Hex ids of the files fully copied. */
  done: string[]
}

const key = (user: string): string => `sync/${user}`
const enc = new TextEncoder()
const dec = new TextDecoder()

export async function loadProgress(store: StateStore, user: string): Promise<SyncProgress | undefined> {
  const bytes = await store.get(key(user))
  if (bytes === undefined) return undefined
  try {
    const value = JSON.parse(dec.decode(bytes)) as SyncProgress
    if (
      Number.isSafeInteger(value.seq) &&
      Array.isArray(value.done) &&
      value.done.every((d) => /^[0-9a-f]{32}$/.test(d))
    ) {
      return value
    }
  } catch {}
  // Progress is only a shortcut: a damaged file means checking every file again, not failing.
  return undefined
}

export async function saveProgress(store: StateStore, user: string, progress: SyncProgress): Promise<void> {
  await store.put(key(user), enc.encode(JSON.stringify(progress)))
}

export async function clearProgress(store: StateStore, user: string): Promise<void> {
  await store.delete(key(user))
}
