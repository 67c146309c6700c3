// What the disk store knows of its shards without reading them: where each file is, its sizes,
// its claims; the totals the quota and size() count; the shards of each file; and what the
// claims charge each uploader. Rebuilt from the files on open.
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { charge, type StoredUsage } from '@defs/net'
import type { ShardClaim } from '@defs/segment'
import { fromHex, toHex } from './hex.ts'
import { CLAIMS_SUFFIX, readClaimsFile, readHead } from './shard-files.ts'

export interface ShardEntry {
  /** The directory the shard file is in (its first claim's file id). */
  dir: string
  /** Bytes of the shard file (claim + body), what the quota counts. */
  size: number
  /** Bytes of the body alone, what size() counts. */
  body: number
  bodyOffset: number
  /** Who claims it, for which file, charged to whom (what the claims on disk say). */
  claims: ShardClaim[]
  /** The claims are in `<id>.claims` (more than one, or the first one is gone). */
  listed: boolean
}

export class ShardLedger {
  used = 0
  bodies = 0
  /** Counts every shard added or removed: an inventory built at one value is still true while it holds. */
  changes = 0
  readonly entries = new Map<string, ShardEntry>()
  readonly usage: StoredUsage & { byPeer: Map<string, number>; byGroup: Map<string, number> } = {
    byPeer: new Map(),
    byGroup: new Map(),
    strangers: 0
  }
  private readonly files = new Map<string, Set<string>>()

  add(name: string, entry: ShardEntry): void {
    this.entries.set(name, entry)
    this.changes++
    this.used += entry.size
    this.bodies += entry.body
    this.index(name, entry.claims, 1)
  }

  remove(name: string, entry: ShardEntry): void {
    if (this.entries.get(name) !== entry) return
    this.entries.delete(name)
    this.changes++
    this.used -= entry.size
    this.bodies -= entry.body
    this.index(name, entry.claims, -1)
  }

  setClaims(name: string, entry: ShardEntry, claims: ShardClaim[]): void {
    this.index(name, entry.claims, -1)
    entry.claims = claims
    entry.listed = true
    this.index(name, claims, 1)
  }

  shardsOf(fileId: Uint8Array): Uint8Array[] {
    return [...(this.files.get(toHex(fileId)) ?? [])].map(fromHex)
  }

  /** Charges and file lists of `claims`, added (1) or taken back (-1). */
  private index(name: string, claims: ShardClaim[], sign: 1 | -1): void {
    for (const claim of claims) {
      charge(this.usage, claim, sign)
      const file = toHex(claim.fileId)
      let ids = this.files.get(file)
      if (sign === -1) {
        // a change takes every old claim back before it adds the new ones
        ids?.delete(name)
        if (ids?.size === 0) this.files.delete(file)
        continue
      }
      if (ids === undefined) {
        ids = new Set()
        this.files.set(file, ids)
      }
      ids.add(name)
    }
  }
}

const FILE_DIR = /^[0-9a-f]{32}$/
const SHARD_FILE = /^[0-9a-f]{64}$/

/** The ledger of the shards under `dir`: each shard's first bytes and claims file are read, no body is. */
export async function loadLedger(dir: string): Promise<ShardLedger> {
  const ledger = new ShardLedger()
  for (const fileIdHex of await readdir(dir)) {
    if (!FILE_DIR.test(fileIdHex)) continue
    const names = new Set(await readdir(join(dir, fileIdHex)))
    for (const name of names) {
      const path = join(dir, fileIdHex, name)
      if (name.endsWith(CLAIMS_SUFFIX)) {
        // claims of a shard whose file is gone: a delete that stopped between its two unlinks
        if (!names.has(name.slice(0, -CLAIMS_SUFFIX.length))) await rm(path, { force: true })
        continue
      }
      if (!SHARD_FILE.test(name)) continue
      const head = await readHead(path)
      if (head === undefined) continue
      const listed = names.has(name + CLAIMS_SUFFIX)
      const claims = (listed ? await readClaimsFile(path + CLAIMS_SUFFIX) : undefined) ?? [head.claim]
      const body = head.claim.length
      ledger.add(name, {
        dir: fileIdHex,
        size: head.size,
        body,
        bodyOffset: head.bodyOffset,
        claims,
        listed
      })
    }
  }
  return ledger
}
