// No rollback: once a reader has seen seq n of a file's manifest, it refuses any lower seq, so a
// peer cannot serve an old version (say, before a share was revoked) as current.
import { toHex } from './bytes.ts'
import { RollbackError } from './errors.ts'

/** Throws RollbackError when `seq` is lower than `seenSeq`. The same seq again is accepted. */
export function assertNotRollback(seenSeq: number | undefined, seq: number, what = 'manifest'): void {
  if (seenSeq !== undefined && seq < seenSeq) {
    throw new RollbackError(`${what} seq ${seq} is older than seq ${seenSeq} already seen`)
  }
}

/** The highest manifest seq seen per file; persist `entries()` to keep the guarantee across restarts. */
export class ManifestSeqGuard {
  readonly #seen = new Map<string, number>()

  constructor(entries: Iterable<readonly [fileIdHex: string, seq: number]> = []) {
    for (const [id, seq] of entries) this.#seen.set(id, seq)
  }

  /** The highest seq seen for `fileId`, if any. */
  seen(fileId: Uint8Array): number | undefined {
    return this.#seen.get(toHex(fileId))
  }

  /** Throws RollbackError if `seq` is older than the highest seen for `fileId`; records nothing. */
  check(fileId: Uint8Array, seq: number): void {
    assertNotRollback(this.seen(fileId), seq, `manifest ${toHex(fileId)}`)
  }

  /** check(), then remember `seq` as the highest seen. Call it only for a manifest whose signature verified. */
  accept(fileId: Uint8Array, seq: number): void {
    this.check(fileId, seq)
    this.#seen.set(toHex(fileId), seq)
  }

  entries(): IterableIterator<[fileIdHex: string, seq: number]> {
    return this.#seen.entries()
  }
}
