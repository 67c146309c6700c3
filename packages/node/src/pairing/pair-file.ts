// The node's pairing state on its own disk (`<dir>/pairing`): the highest epoch it signed and its
// current pairing, CBOR, written temp + fsync + rename, so a crash never leaves half of it and a
// restarted node never signs an epoch it signed before.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PairState, PairStore } from '@defs/pairing'
import { decodeSavedPairing, encodeSavedPairing } from '@defs/segment'
import { writeFileAtomic } from '../disk/atomic-file.ts'
import type { NodeDir } from '../disk/node-dir.ts'

export class PairFile implements PairStore {
  readonly path: string
  readonly #tmp: string

  constructor(dir: NodeDir) {
    this.path = join(dir.root, 'pairing')
    this.#tmp = dir.tmp
  }

  async load(): Promise<PairState | undefined> {
    let bytes: Uint8Array
    try {
      bytes = await readFile(this.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    return decodeSavedPairing(bytes)
  }

  async save(state: PairState): Promise<void> {
    await writeFileAtomic(this.path, encodeSavedPairing(state), { tmpDir: this.#tmp, mode: 0o600 })
  }
}
