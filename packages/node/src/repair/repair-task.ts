// A `repair` task: bring every ill slice of one file back to its full k + m shards (m + 1 copies in
// the replicated modes) without the owner or its key. Per slice: fetch k shards from live holders,
// rebuild the missing ones keyless on the worker pool (each checked against the manifest's id),
// ask the network once more whether someone placed them meanwhile, place the rest like an upload
// does, and checkpoint. The rebuilt shards are claimed under this node's key (an owner's header
// signature cannot be made without the owner); holders then announce them in their location
// records as they do any shard. Resumable: a restarted task looks again and repairs what is left.
import { crc32c, decodePublicKey, fromHex, toHex } from '@defs/crypto'
import type { Manifest } from '@defs/segment'
import { signShardHeader, sliceLayout } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import type { LocatedFile } from '../files/resolve-file.ts'
import type { BandwidthBudget } from '../steps/bandwidth-budget.ts'
import { liveHolders } from '../steps/file-health.ts'
import { lookupHolders, peerHas } from '../steps/network-index.ts'
import { ownerIdOf } from '../steps/owner-id.ts'
import { placeShards, type ShardToPlace } from '../steps/place-shards.ts'
import { fetchSliceShards, newReadStats } from '../steps/read-slices.ts'
import { fetchShard } from '../steps/shard-transfer.ts'
import type { TaskContext, TaskRunner } from '../tasks/task-types.ts'
import { type HeldFile, manifestOf } from './held-files.ts'
import { checkRoom, repairRoom } from './repair-room.ts'
import { isReplicated, type SliceNeed, slicesToRepair } from './slice-needs.ts'

export interface RepairParams {
  fileIdHex: string
  /** The file owner's public key (multikey hex): whose manifest the repair follows. */
  owner: string
  /** Slices found ill when the repair was queued (the run looks again). */
  slices: number[]
}

export interface RepairCheckpoint {
  /** Slices repaired so far. */
  done: number[]
  /** Where those slices' shards went (what tidy-copies.ts reads to remove a copy placed twice). */
  placed?: PlacedCopy[]
}

/** One shard this repair placed, and on whom. */
export interface PlacedCopy {
  slice: number
  index: number
  holders: string[]
}

export interface RepairedSlice {
  slice: number
  /** Shard indices rebuilt (or copied, replicated modes) and placed. */
  placed: number[]
  /** Where each went, in the order of `placed`. */
  holders: string[][]
  /** Shards found placed by another node just before this one would have placed them. */
  placedByOthers: number[]
}

export interface RepairResult {
  fileIdHex: string
  slices: RepairedSlice[]
  /** Every shard placed, this run and those before a restart. */
  placed: PlacedCopy[]
  /** Why nothing was repaired, when nothing was: the file was deleted, its manifest not found. */
  skipped?: string
}

/** How long the peers asked whether they hold a shard may take, all together. */
const HAS_TIMEOUT_MS = 5000

export class RepairRunner implements TaskRunner<RepairParams, RepairCheckpoint, RepairResult> {
  readonly #c: NodeComponents
  readonly #budget: BandwidthBudget
  readonly #thresholdOf: (k: number, m: number) => number
  readonly #onRepaired: (fileIdHex: string, slice: RepairedSlice) => void
  readonly #suspect: (peer: string, shardHex: string) => boolean

  constructor(
    c: NodeComponents,
    budget: BandwidthBudget,
    thresholdOf: (k: number, m: number) => number,
    /** Copies that failed an audit: neither healthy nor a placement target for their shard. */
    suspect: (peer: string, shardHex: string) => boolean,
    onRepaired: (fileIdHex: string, slice: RepairedSlice) => void = () => {}
  ) {
    this.#c = c
    this.#budget = budget
    this.#thresholdOf = thresholdOf
    this.#onRepaired = onRepaired
    this.#suspect = suspect
  }

  async run(ctx: TaskContext<RepairParams, RepairCheckpoint>): Promise<RepairResult> {
    const c = this.#c
    const { fileIdHex } = ctx.params
    const held: HeldFile = { fileIdHex, owner: decodePublicKey(fromHex(ctx.params.owner)) }
    const manifest = await manifestOf(c, held)
    if (manifest === undefined)
      return { fileIdHex, slices: [], placed: [], skipped: 'the manifest was deleted or not found' }
    const holders = await lookupHolders(c, manifest)
    const live = (await liveHolders(c, { fileIdHex, manifest, holders })).map((slice, i) =>
      slice.map((peers, j) => peers.filter((p) => !this.#suspect(p, toHex(manifest.slices[i]!.shards[j]!))))
    )
    const done = [...(ctx.checkpoint?.done ?? [])]
    const placed = [...(ctx.checkpoint?.placed ?? [])]
    const needs = slicesToRepair(manifest, live, this.#thresholdOf).filter((n) => !done.includes(n.slice))
    ctx.progress({ slicesTotal: done.length + needs.length, slicesDone: done.length })
    const slices: RepairedSlice[] = []
    let shardsDone = 0
    let bytesDone = 0
    for (const need of needs) {
      ctx.signal.throwIfAborted()
      const file: LocatedFile = { fileIdHex, manifest, holders: live }
      const repaired = await this.#repairSlice(file, need, ctx.signal)
      slices.push(repaired)
      done.push(need.slice)
      shardsDone += repaired.placed.length
      bytesDone += repaired.placed.length * sliceLayout(manifest, need.slice).shardSize
      ctx.progress({ slicesDone: done.length, shardsDone, bytesDone })
      repaired.placed.forEach((index, n) => {
        placed.push({ slice: need.slice, index, holders: repaired.holders[n]! })
      })
      await ctx.save({ done, placed })
      // Told once the checkpoint holds it: a restart does not repair it again.
      this.#onRepaired(fileIdHex, repaired)
    }
    return { fileIdHex, slices, placed }
  }

  async #repairSlice(file: LocatedFile, need: SliceNeed, signal: AbortSignal): Promise<RepairedSlice> {
    const c = this.#c
    const m = file.manifest
    const i = need.slice
    const layout = sliceLayout(m, i)
    const ids = m.slices[i]!.shards
    // holders of a copy that failed an audit get none of the slice's shards again
    const suspects = new Set<string>()
    // Nothing is fetched or rebuilt when no peer could take the result: on a network no larger
    // than the slice, each check would fetch k shards again for nothing.
    checkRoom(c, file, need, suspects)
    let rebuilt: { index: number; id: Uint8Array; bytes: Uint8Array; crc32c: number }[]
    if (isReplicated(m)) {
      const bytes = await this.#fetchCopy(file, i, signal)
      rebuilt = [{ index: 0, id: ids[0]!, bytes, crc32c: crc32c(bytes) }]
    } else {
      const shards = await fetchSliceShards(c, file, i, newReadStats(), signal)
      await this.#budget.spend(layout.dataShards * layout.shardSize, signal)
      const out = await c.pool.rebuild(shards, {
        dataShards: layout.dataShards,
        parityShards: layout.parityShards,
        shardSize: layout.shardSize,
        ids,
        want: need.missing
      })
      rebuilt = out.shards
    }
    // Checked again just before placing: a repairer racing this one (or one that died after
    // placing some) may have put shards back already; those are not placed a second time.
    const elsewhere = await whoHas(
      c,
      rebuilt.map((r) => r.id),
      signal
    )
    // Copies each shard must have: m + 1 of the replicated modes' one shard, else one.
    const full = isReplicated(m) ? m.parityShards + 1 : 1
    // A copy that failed an audit is no copy; its holder gets none of the slice's shards again.
    for (const [n, r] of rebuilt.entries()) {
      for (const p of elsewhere[n]!) if (this.#suspect(p, toHex(r.id))) suspects.add(p)
      elsewhere[n] = elsewhere[n]!.filter((p) => !this.#suspect(p, toHex(r.id)))
    }
    const placedByOthers = rebuilt.filter((_, n) => elsewhere[n]!.length >= full).map((r) => r.index)
    const toPlace = rebuilt.filter((r) => !placedByOthers.includes(r.index))
    const shards: ShardToPlace[] = await Promise.all(
      toPlace.map(async (r) => ({
        index: r.index,
        id: r.id,
        bytes: r.bytes,
        header: await signShardHeader(c.userKey, r.id, {
          fileId: m.fileId,
          slice: i,
          index: r.index,
          dataShards: layout.dataShards,
          parityShards: layout.parityShards,
          length: r.bytes.length,
          crc32c: r.crc32c
        })
      }))
    )
    if (shards.length === 0) return { slice: i, placed: [], holders: [], placedByOthers }
    // A pair mirrors its shards, so it is one failure domain: a paired holder of another shard may
    // take one too while its pair keeps at most m of the slice (each node of a pair holds shards
    // of the slice after an upload too: its own and its partner's). An unpaired holder gets none.
    const held = [...file.holders[i]!, ...elsewhere]
    const replicas = full - Math.max(...toPlace.map((r) => elsewhere[rebuilt.indexOf(r)]!.length))
    const { exclude, perPair } = repairRoom(c, held, suspects, shards.length * replicas, {
      bound: Math.max(1, m.parityShards),
      bytes: layout.shardSize,
      // a copy of a shard is never placed where that shard is already (the replicated modes' copies)
      more: (exclude) => {
        for (const r of toPlace) {
          for (const p of file.holders[i]![r.index] ?? []) exclude.add(p)
          for (const p of elsewhere[rebuilt.indexOf(r)]!) exclude.add(p)
        }
      }
    })
    const holders = await placeShards(c, {
      shards,
      replicas,
      exclude,
      taken: perPair,
      perGroup: Math.max(1, m.parityShards),
      what: `repair of file ${file.fileIdHex} slice ${i}`,
      signal
    })
    await this.#budget.spend(holders.flat().length * layout.shardSize, signal)
    return { slice: i, placed: shards.map((s) => s.index), holders, placedByOthers }
  }

  /** One live copy of a replicated slice, checked against its id. */
  async #fetchCopy(file: LocatedFile, i: number, signal: AbortSignal): Promise<Uint8Array> {
    const id = file.manifest.slices[i]!.shards[0]!
    let last: unknown
    for (const peer of file.holders[i]![0] ?? []) {
      try {
        return await fetchShard(this.#c, peer, id, signal)
      } catch (err) {
        if (signal.aborted) throw err
        last = err
      }
    }
    throw new Error(`slice ${i}: no live copy of shard ${toHex(id)} could be read (${String(last)})`)
  }
}

/** Who holds each of `ids` now, of this node and the peers it is connected to. */
async function whoHas(c: NodeComponents, ids: Uint8Array[], signal: AbortSignal): Promise<string[][]> {
  const found: string[][] = ids.map(() => [])
  const asked = AbortSignal.any([signal, AbortSignal.timeout(HAS_TIMEOUT_MS)])
  await Promise.all(
    [c.peerId, ...c.host.getPeers().map(String)].map(async (peer) => {
      const have = await peerHas(c, peer, ids, asked).catch(() => [] as boolean[])
      have.forEach((yes, n) => {
        if (yes) found[n]!.push(peer)
      })
    })
  )
  return found
}

/** The params of a repair of `manifest`'s file, as the service queues it. */
export function repairParamsOf(manifest: Manifest, slices: number[]): RepairParams {
  return { fileIdHex: toHex(manifest.fileId), owner: ownerIdOf(manifest.owner), slices }
}
