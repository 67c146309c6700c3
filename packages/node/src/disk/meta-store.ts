// The node's metadata, in one LevelDB (datastore-level) under <dir>/meta:
//   /manifests/<fileId>          the signed manifest envelope of a file we know (ours or fetched)
//   /seen/<fileId>/<owner>       the highest manifest seq seen of that owner, kept after a delete:
//                                no rollback (keyed by owner, so a stranger's seq moves nothing)
//   /tombstones/<fileId>         a deleted file's last seq (its manifest is gone)
//   /keys/<fileId>               our wrapped file key (only for files we own; see keystore.ts)
//   /locations/<fileId>/<peer>   signed location records of the holders of a file's shards
//   /placements/<fileId>         where our upload put each shard (hints; records are the proof)
//   /tasks/<taskId>              a persisted task (JSON): uploads, downloads, repairs
//   /changes/<seq>               what changed, in order (file records only, not tasks)
//   /state/<name>                one record of the node's own (JSON): maintenance, scores, ...
// Writes that belong together go in one LevelDB batch, which lands whole or not at all; LevelDB
// appends every write to its log before it returns, so a SIGKILL loses nothing written. Writes are
// serialised, so change seqs are committed in order and a reader of changesSince never skips one.
import { assertNotRollback } from '@defs/segment'
import { LevelDatastore } from 'datastore-level'
import { type Batch, Key } from 'interface-datastore'
import type { TaskRecord } from '../tasks/task-types.ts'
import { plainBytes } from './bytes.ts'
import { type ChangeKind, ChangeLog, type MetaChanges } from './meta-changes.ts'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()
const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value))

/** Where an upload put each shard: [slice][shard] -> peer ids. */
export interface Placement {
  slices: string[][][]
}

export class MetaStore {
  readonly #db: LevelDatastore
  readonly #changes: ChangeLog
  #writes: Promise<unknown> = Promise.resolve()

  private constructor(db: LevelDatastore, changes: ChangeLog) {
    this.#db = db
    this.#changes = changes
  }

  /** `keepChanges`: how many change records the log keeps (default 100,000). */
  static async open(path: string, options: { keepChanges?: number } = {}): Promise<MetaStore> {
    const db = new LevelDatastore(path)
    await db.open()
    return new MetaStore(db, await ChangeLog.open(db, options.keepChanges))
  }

  async close(): Promise<void> {
    await this.#writes.catch(() => {})
    await this.#db.close()
  }

  /**
   * Keeps a manifest envelope whose signature and owner the caller checked (`owner`: the hex id of
   * the owner's key). Refuses (RollbackError) a seq below the highest seen of that owner for the
   * file, including one seen before a delete.
   */
  async putManifest(fileIdHex: string, seq: number, envelope: Uint8Array, owner: string): Promise<void> {
    await this.#write(async (batch) => {
      assertNotRollback(await this.seenSeq(fileIdHex, owner), seq, `manifest ${fileIdHex}`)
      batch.put(new Key(`/manifests/${fileIdHex}`), envelope)
      batch.put(new Key(`/seen/${fileIdHex}/${owner}`), utf8.encode(String(seq)))
      batch.delete(new Key(`/tombstones/${fileIdHex}`))
      return [{ kind: 'manifest', fileId: fileIdHex }]
    })
  }

  async getManifest(fileIdHex: string): Promise<Uint8Array | undefined> {
    return this.#get(`/manifests/${fileIdHex}`)
  }

  async seenSeq(fileIdHex: string, owner: string): Promise<number | undefined> {
    const v = await this.#get(`/seen/${fileIdHex}/${owner}`)
    return v === undefined ? undefined : Number(fromUtf8.decode(v))
  }

  async *manifests(): AsyncGenerator<{ fileIdHex: string; envelope: Uint8Array }> {
    for await (const { key, value } of this.#db.query({ prefix: '/manifests/' })) {
      yield { fileIdHex: key.baseNamespace(), envelope: plainBytes(value) }
    }
  }

  /** Forgets a file's manifest, key and records; remembers that it was deleted and at which seq. */
  async tombstone(fileIdHex: string): Promise<void> {
    await this.#write(async (batch) => {
      let seq = 0
      for await (const { value } of this.#db.query({ prefix: `/seen/${fileIdHex}/` }))
        seq = Math.max(seq, Number(fromUtf8.decode(value)))
      batch.put(new Key(`/tombstones/${fileIdHex}`), utf8.encode(String(seq)))
      for (const prefix of ['manifests', 'keys', 'placements'])
        batch.delete(new Key(`/${prefix}/${fileIdHex}`))
      for await (const key of this.#db.queryKeys({ prefix: `/locations/${fileIdHex}/` })) batch.delete(key)
      return [{ kind: 'tombstone', fileId: fileIdHex }]
    })
  }

  async isTombstoned(fileIdHex: string): Promise<boolean> {
    return this.#db.has(new Key(`/tombstones/${fileIdHex}`))
  }

  async putFileKey(fileIdHex: string, wrapped: Uint8Array): Promise<void> {
    await this.#write(async (batch) => {
      batch.put(new Key(`/keys/${fileIdHex}`), wrapped)
      return [{ kind: 'key', fileId: fileIdHex }]
    })
  }

  async getFileKey(fileIdHex: string): Promise<Uint8Array | undefined> {
    return this.#get(`/keys/${fileIdHex}`)
  }

  async putLocation(fileIdHex: string, peerId: string, envelope: Uint8Array): Promise<void> {
    await this.#write(async (batch) => {
      batch.put(new Key(`/locations/${fileIdHex}/${peerId}`), envelope)
      return [{ kind: 'location', fileId: fileIdHex }]
    })
  }

  async *locations(fileIdHex: string): AsyncGenerator<{ peerId: string; envelope: Uint8Array }> {
    for await (const { key, value } of this.#db.query({ prefix: `/locations/${fileIdHex}/` })) {
      yield { peerId: key.baseNamespace(), envelope: plainBytes(value) }
    }
  }

  /** A new file of ours: its manifest and where its shards went, in one write. */
  async putOwnFile(
    fileIdHex: string,
    seq: number,
    envelope: Uint8Array,
    owner: string,
    placement: Placement
  ): Promise<void> {
    await this.#write(async (batch) => {
      assertNotRollback(await this.seenSeq(fileIdHex, owner), seq, `manifest ${fileIdHex}`)
      batch.put(new Key(`/placements/${fileIdHex}`), json(placement))
      batch.put(new Key(`/manifests/${fileIdHex}`), envelope)
      batch.put(new Key(`/seen/${fileIdHex}/${owner}`), utf8.encode(String(seq)))
      batch.delete(new Key(`/tombstones/${fileIdHex}`))
      return [
        { kind: 'placement', fileId: fileIdHex },
        { kind: 'manifest', fileId: fileIdHex }
      ]
    })
  }

  async getPlacement(fileIdHex: string): Promise<Placement | undefined> {
    const v = await this.#get(`/placements/${fileIdHex}`)
    if (v === undefined) return undefined
    const parsed = JSON.parse(fromUtf8.decode(v)) as Partial<Placement>
    return Array.isArray(parsed.slices) ? { slices: parsed.slices } : undefined
  }

  async putTask(taskId: string, task: TaskRecord): Promise<void> {
    await this.#write(async (batch) => {
      batch.put(new Key(`/tasks/${taskId}`), json(task))
      return []
    })
  }

  async deleteTask(taskId: string): Promise<void> {
    await this.#write(async (batch) => {
      batch.delete(new Key(`/tasks/${taskId}`))
      return []
    })
  }

  async *tasks(): AsyncGenerator<TaskRecord> {
    for await (const { value } of this.#db.query({ prefix: '/tasks/' }))
      yield JSON.parse(fromUtf8.decode(value)) as TaskRecord
  }

  /** Lease expiries of held claims, `<shard hex>/<file id hex>` -> ms since the epoch (leases/shard-leases.ts). */
  async *leases(): AsyncGenerator<{ key: string; until: number }> {
    for await (const { key, value } of this.#db.query({ prefix: '/leases/' }))
      yield {
        key: key.toString().slice('/leases/'.length),
        until: JSON.parse(fromUtf8.decode(value)) as number
      }
  }

  /** Sets leases and drops others in one batch. */
  async putLeases(set: [key: string, until: number][], drop: string[] = []): Promise<void> {
    await this.#write(async (batch) => {
      for (const [key, until] of set) batch.put(new Key(`/leases/${key}`), json(until))
      for (const key of drop) batch.delete(new Key(`/leases/${key}`))
      return []
    })
  }

  /** The node's own record `name` (maintenance, say), or undefined. */
  async getState<T>(name: string): Promise<T | undefined> {
    const v = await this.#get(`/state/${name}`)
    return v === undefined ? undefined : (JSON.parse(fromUtf8.decode(v)) as T)
  }

  async putState(name: string, value: unknown): Promise<void> {
    await this.#write(async (batch) => {
      batch.put(new Key(`/state/${name}`), json(value))
      return []
    })
  }

  /** File records changed after change `since` (0: from the first kept), for pair and mirror sync. */
  changesSince(since: number, limit = 1000): Promise<MetaChanges> {
    return this.#changes.since(since, limit)
  }

  /** The seq of the newest change (0 before the first). */
  get changeSeq(): number {
    return this.#changes.last
  }

  /** One batch: `build` queues its writes and names what changed; the change records ride along. */
  #write(build: (batch: Batch) => Promise<{ kind: ChangeKind; fileId: string }[]>): Promise<void> {
    const run = this.#writes.then(async () => {
      const batch = this.#db.batch()
      const changed = await build(batch)
      const prune = this.#changes.record(batch, changed)
      await batch.commit()
      await prune()
    })
    this.#writes = run.catch(() => {})
    return run
  }

  async #get(key: string): Promise<Uint8Array | undefined> {
    try {
      return plainBytes(await this.#db.get(new Key(key)))
    } catch (err) {
      if ((err as Error).name === 'NotFoundError') return undefined
      throw err
    }
  }
}
