// Shard stores for transfer benchmarks, where one shard is sent again and again.
import { joinShardBody, type ShardBody, type ShardStore } from '@defs/net'
import type { ShardHeader } from '@defs/segment'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** Accepts every shard and keeps none, so repeated puts of one shard are transferred every time. */
export class SinkStore implements ShardStore {
  stored = 0
  /** Kept shards (only those `keep` names), to serve gets. */
  readonly kept = new Map<string, Uint8Array>()
  readonly #files = new Map<string, Uint8Array[]>()
  readonly #headers = new Map<string, ShardHeader>()
  readonly keep: (id: Uint8Array) => boolean

  constructor(keep: (id: Uint8Array) => boolean = () => false) {
    this.keep = keep
  }

  async has(): Promise<boolean> {
    return false
  }
  async stat(id: Uint8Array): Promise<ShardHeader | undefined> {
    return this.#headers.get(hex(id))
  }
  async get(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.kept.get(hex(id))
  }
  async put(id: Uint8Array, body: ShardBody, header?: ShardHeader): Promise<void> {
    const bytes = joinShardBody(body)
    this.stored += bytes.byteLength
    if (!this.keep(id)) return
    if (header !== undefined && !this.#headers.has(hex(id)))
      this.#files.set(hex(header.fileId), [...(this.#files.get(hex(header.fileId)) ?? []), id])
    this.kept.set(hex(id), bytes)
    if (header !== undefined) this.#headers.set(hex(id), header)
  }
  async delete(): Promise<boolean> {
    return false
  }
  async shardsOf(fileId: Uint8Array): Promise<Uint8Array[]> {
    return this.#files.get(hex(fileId)) ?? []
  }
  async size(): Promise<number> {
    return 0
  }
}
