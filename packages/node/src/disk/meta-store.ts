// The node's metadata, in one LevelDB (datastore-level) under <dir>/meta:
//   /manifests/<fileId>          the signed manifest envelope of a file we know (ours or fetched)
//   /seen/<fileId>               the highest manifest seq seen, kept after a delete: no rollback
//   /tombstones/<fileId>         a deleted file's last seq (its manifest is gone)
//   /keys/<fileId>               our wrapped file key (only for files we own)
//   /locations/<fileId>/<peer>   signed location records of the holders of a file's shards
//   /placements/<fileId>         where our upload put each shard (JSON hints; records are the proof)
//   /tasks/<taskId>              a persisted task (JSON): uploads, downloads, repairs
// LevelDB appends every write to its log before it returns, so a SIGKILL loses nothing written.
import { RollbackError } from '@defs/segment'
import { LevelDatastore } from 'datastore-level'
import { Key } from 'interface-datastore'
import { plainBytes } from './bytes.ts'

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

export class MetaStore {
  readonly #db: LevelDatastore

  private constructor(db: LevelDatastore) {
    this.#db = db
  }

  static async open(path: string): Promise<MetaStore> {
    const db = new LevelDatastore(path)
    await db.open()
    return new MetaStore(db)
  }

  async close(): Promise<void> {
    await this.#db.close()
  }

  /**
   * Keeps a manifest envelope whose signature the caller verified. Refuses (RollbackError) a seq
   * below the highest seen for the file, including one seen before a delete.
   */
  async putManifest(fileIdHex: string, seq: number, envelope: Uint8Array): Promise<void> {
    const seen = await this.seenSeq(fileIdHex)
    if (seen !== undefined && seq < seen) {
      throw new RollbackError(`manifest ${fileIdHex} seq ${seq} is older than seq ${seen} already seen`)
    }
    await this.#db.put(new Key(`/manifests/${fileIdHex}`), envelope)
    await this.#db.put(new Key(`/seen/${fileIdHex}`), utf8.encode(String(seq)))
    await this.#db.delete(new Key(`/tombstones/${fileIdHex}`))
  }

  async getManifest(fileIdHex: string): Promise<Uint8Array | undefined> {
    return this.#get(`/manifests/${fileIdHex}`)
  }

  async seenSeq(fileIdHex: string): Promise<number | undefined> {
    const v = await this.#get(`/seen/${fileIdHex}`)
    return v === undefined ? undefined : Number(fromUtf8.decode(v))
  }

  async *manifests(): AsyncGenerator<{ fileIdHex: string; envelope: Uint8Array }> {
    for await (const { key, value } of this.#db.query({ prefix: '/manifests/' })) {
      yield { fileIdHex: key.baseNamespace(), envelope: plainBytes(value) }
    }
  }

  /** Forgets a file's manifest, key and records; remembers that it was deleted and at which seq. */
  async tombstone(fileIdHex: string): Promise<void> {
    const seq = (await this.seenSeq(fileIdHex)) ?? 0
    await this.#db.put(new Key(`/tombstones/${fileIdHex}`), utf8.encode(String(seq)))
    await this.#db.delete(new Key(`/manifests/${fileIdHex}`))
    await this.#db.delete(new Key(`/keys/${fileIdHex}`))
    await this.#db.delete(new Key(`/placements/${fileIdHex}`))
    for await (const key of this.#db.queryKeys({ prefix: `/locations/${fileIdHex}/` }))
      await this.#db.delete(key)
  }

  async isTombstoned(fileIdHex: string): Promise<boolean> {
    return this.#db.has(new Key(`/tombstones/${fileIdHex}`))
  }

  async putFileKey(fileIdHex: string, wrapped: Uint8Array): Promise<void> {
    await this.#db.put(new Key(`/keys/${fileIdHex}`), wrapped)
  }

  async getFileKey(fileIdHex: string): Promise<Uint8Array | undefined> {
    return this.#get(`/keys/${fileIdHex}`)
  }

  async putLocation(fileIdHex: string, peerId: string, envelope: Uint8Array): Promise<void> {
    await this.#db.put(new Key(`/locations/${fileIdHex}/${peerId}`), envelope)
  }

  async *locations(fileIdHex: string): AsyncGenerator<{ peerId: string; envelope: Uint8Array }> {
    for await (const { key, value } of this.#db.query({ prefix: `/locations/${fileIdHex}/` })) {
      yield { peerId: key.baseNamespace(), envelope: plainBytes(value) }
    }
  }

  async putPlacement(fileIdHex: string, placement: unknown): Promise<void> {
    await this.#db.put(new Key(`/placements/${fileIdHex}`), utf8.encode(JSON.stringify(placement)))
  }

  async getPlacement(fileIdHex: string): Promise<unknown> {
    const v = await this.#get(`/placements/${fileIdHex}`)
    return v === undefined ? undefined : JSON.parse(fromUtf8.decode(v))
  }

  async putTask(taskId: string, task: unknown): Promise<void> {
    await this.#db.put(new Key(`/tasks/${taskId}`), utf8.encode(JSON.stringify(task)))
  }

  async deleteTask(taskId: string): Promise<void> {
    await this.#db.delete(new Key(`/tasks/${taskId}`))
  }

  async *tasks(): AsyncGenerator<unknown> {
    for await (const { value } of this.#db.query({ prefix: '/tasks/' }))
      yield JSON.parse(fromUtf8.decode(value))
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
