// Tombstones: the claims this node removed at their owner's signed word, kept for
// TOMBSTONE_TTL_MS, so that the same claim put here again in that time is refused
// (ClaimDeletedError) instead of stored. What it guards against: a pair partner that was
// unreachable when the owner deleted a file comes back still holding its copy, and the pairs'
// digest sync would send that copy here again, undoing the delete. One small file per shard and
// file (`<shard id>.<file id>`, the owners' keys and when), written temp + fsync + rename before
// the claim goes, so a crash between the two keeps the tombstone. Expired ones are removed at
// open. File ids are random per upload, so a tombstone never stands in the way of a new upload.
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ShardHeader } from '@defs/segment'
import { writeFileAtomic } from './atomic-file.ts'
import { toHex } from './hex.ts'

/** How long a deleted claim is refused: a week, longer than a partner may be away and still the partner. */
export const TOMBSTONE_TTL_MS = 7 * 24 * 3600_000

interface Buried {
  /** `algorithm:hex` of each owner whose claim went, with when. */
  owners: { owner: string; at: number }[]
}

const ownerKey = (owner: ShardHeader['owner']): string => `${owner.algorithm}:${toHex(owner.bytes)}`

export class Tombstones {
  readonly #dir: string
  readonly #tmpDir: string
  readonly #ttl: number
  readonly #buried = new Map<string, Buried>()

  private constructor(dir: string, tmpDir: string, ttl: number) {
    this.#dir = dir
    this.#tmpDir = tmpDir
    this.#ttl = ttl
  }

  /** Reads the tombstones under `dir`, removing those older than `ttl`. */
  static async open(
    dir: string,
    tmpDir: string,
    ttl = TOMBSTONE_TTL_MS,
    now = Date.now()
  ): Promise<Tombstones> {
    const t = new Tombstones(dir, tmpDir, ttl)
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]+\.[0-9a-f]+$/.test(name)) continue
      const path = join(dir, name)
      let buried: Buried
      try {
        buried = JSON.parse(await readFile(path, 'utf8')) as Buried
        if (!Array.isArray(buried?.owners)) throw new Error('no owners list')
      } catch (err) {
        // written temp + fsync + rename, so never torn: something else wrote it
        throw new Error(`tombstone ${path} is unreadable (${(err as Error).message}); remove it to start`)
      }
      const live = buried.owners.filter((o) => now - o.at < ttl)
      if (live.length === 0) await rm(path, { force: true })
      else t.#buried.set(name, { owners: live })
    }
    return t
  }

  get size(): number {
    return this.#buried.size
  }

  /** Records, durably, that `owner`'s claim on shard `id` of `fileId` is being removed now. */
  async bury(
    id: Uint8Array,
    fileId: Uint8Array,
    owner: ShardHeader['owner'],
    now = Date.now()
  ): Promise<void> {
    const name = `${toHex(id)}.${toHex(fileId)}`
    const key = ownerKey(owner)
    const owners = (this.#buried.get(name)?.owners ?? []).filter(
      (o) => o.owner !== key && now - o.at < this.#ttl
    )
    const buried: Buried = { owners: [...owners, { owner: key, at: now }] }
    await writeFileAtomic(join(this.#dir, name), JSON.stringify(buried), { tmpDir: this.#tmpDir })
    this.#buried.set(name, buried)
  }

  /** Why a put of `claim` on shard `id` is refused now, or undefined when it is not buried. */
  refusal(id: Uint8Array, claim: ShardHeader, now = Date.now()): string | undefined {
    const name = `${toHex(id)}.${toHex(claim.fileId)}`
    const key = ownerKey(claim.owner)
    const grave = this.#buried.get(name)?.owners.find((o) => o.owner === key && now - o.at < this.#ttl)
    if (grave === undefined) return undefined
    return `shard ${toHex(id)} of file ${toHex(claim.fileId)} was deleted here by its owner at ${new Date(grave.at).toISOString()}; not stored again before ${new Date(grave.at + this.#ttl).toISOString()}`
  }
}
