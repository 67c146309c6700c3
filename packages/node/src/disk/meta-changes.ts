// The meta store's change log: every write of a file record (manifest, key, placement, location,
// tombstone) appends `/changes/<seq>` in the same batch, so a pair partner or a mirror asks "what
// changed since n" instead of comparing everything. The log keeps the newest `keep` entries; a
// reader that fell further behind is told so (`truncated`) and starts over from a full listing.

import type { LevelDatastore } from 'datastore-level'
import { type Batch, Key } from 'interface-datastore'

export type ChangeKind = 'manifest' | 'key' | 'placement' | 'location' | 'tombstone'

export interface MetaChange {
  seq: number
  kind: ChangeKind
  fileId: string
  time: number
}

export interface MetaChanges {
  changes: MetaChange[]
  /** Pass as `since` next time. */
  next: number
  /** Changes after `since` were dropped from the log: list everything instead. */
  truncated: boolean
}

/** Fixed-width seqs, so LevelDB's key order is seq order. */
const SEQ_DIGITS = 15
const keyOf = (seq: number): Key => new Key(`/changes/${String(seq).padStart(SEQ_DIGITS, '0')}`)
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

export class ChangeLog {
  readonly #db: LevelDatastore
  readonly #keep: number
  #first: number
  #last: number

  private constructor(db: LevelDatastore, first: number, last: number, keep: number) {
    this.#db = db
    this.#first = first
    this.#last = last
    this.#keep = keep
  }

  static async open(db: LevelDatastore, keep = 100_000): Promise<ChangeLog> {
    let first = 0
    let last = 0
    for await (const key of db.queryKeys({ prefix: '/changes/' })) {
      const seq = Number(key.baseNamespace())
      if (first === 0) first = seq
      last = seq
    }
    return new ChangeLog(db, first, last, keep)
  }

  get last(): number {
    return this.#last
  }

  /** Queues the change records into `batch`; the returned prune runs once the batch committed. */
  record(batch: Batch, changed: { kind: ChangeKind; fileId: string }[]): () => Promise<void> {
    const time = Date.now()
    for (const c of changed) {
      const seq = ++this.#last
      if (this.#first === 0) this.#first = seq
      batch.put(keyOf(seq), utf8.encode(JSON.stringify({ seq, kind: c.kind, fileId: c.fileId, time })))
    }
    return async () => {
      if (this.#last - this.#first + 1 <= this.#keep) return
      const drop = this.#db.batch()
      const until = this.#last - this.#keep
      for (let seq = this.#first; seq <= until; seq++) drop.delete(keyOf(seq))
      await drop.commit()
      this.#first = until + 1
    }
  }

  async since(since: number, limit: number): Promise<MetaChanges> {
    const changes: MetaChange[] = []
    const truncated = this.#first > 0 && since + 1 < this.#first
    for await (const { value } of this.#db.query({
      prefix: '/changes/',
      filters: [({ key }) => Number(key.baseNamespace()) > since],
      limit
    })) {
      changes.push(JSON.parse(fromUtf8.decode(value)) as MetaChange)
    }
    return { changes, next: changes.at(-1)?.seq ?? Math.max(since, 0), truncated }
  }
}
