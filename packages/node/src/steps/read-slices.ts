// Reading a file back: per slice, fetch shards in parallel from their holders, data shards first
// (no decoding needed when they all arrive; a paired holder's partner is asked for its copy before
// parity), parity only for what is missing, stopping at k; then open (reconstruct, decrypt) on
// the worker pool, in order. A shard that does not match its id names its peer, which loses
// score, and another shard is fetched in its place.
import { toHex } from '@defs/crypto'
import { TooFewShardsError } from '@defs/erasure'
import type { ByteRange } from '@defs/net'
import { ShardCorruptError, sliceLayout } from '@defs/segment'
import type { NodeComponents } from '../components.ts'
import type { LocatedFile, ReadableFile, ResolvedFile } from '../files/resolve-file.ts'
import { type FetchedSlice, type OpenedSliceHandle, openSlices } from '../pipeline/index.ts'
import { lookupHolders } from './network-index.ts'
import { ownerIdOf } from './owner-id.ts'
import { fetchShard } from './shard-transfer.ts'

export interface ReadStats {
  slicesRead: number
  shardsFetched: number
  slicesReconstructed: number
  badPeers: Set<string>
}

export function newReadStats(): ReadStats {
  return { slicesRead: 0, shardsFetched: 0, slicesReconstructed: 0, badPeers: new Set() }
}

/** The slices a byte range touches, and the range clamped to the file. */
export function slicesFor(
  file: ResolvedFile,
  range?: ByteRange
): { first: number; last: number; start: number; end: number } {
  const { size, sliceSize } = file.manifest
  const start = Math.min(range?.offset ?? 0, size)
  const end = range === undefined ? size : Math.min(size, start + range.length)
  if (end <= start) return { first: 0, last: -1, start, end }
  return { first: Math.floor(start / sliceSize), last: Math.floor((end - 1) / sliceSize), start, end }
}

/**
 * Opened slices of [first, last] in order, plaintext views trimmed to the range. With `reuse`,
 * a slice's memory goes back to the pool when the next one is asked for: only for consumers that
 * are done with a chunk by then (an awaited file write). A stream may still hold the chunk
 * (http's write queues it), so without `reuse` the memory is left to the garbage collector.
 */
export async function* readFileSlices(
  node: NodeComponents,
  file: ReadableFile,
  range: ByteRange | undefined,
  stats: ReadStats,
  options: { reuse: boolean; signal?: AbortSignal; skipSlices?: number }
): AsyncGenerator<Uint8Array> {
  const { reuse, signal } = options
  const { last, start, end, ...bounds } = slicesFor(file, range)
  // A resumed download skips the slices it wrote before.
  const first = bounds.first + (options.skipSlices ?? 0)
  if (last < first) return
  const m = file.manifest
  const opened = openSlices(fetchSlices(node, file, first, last, stats, signal), {
    pool: node.pool,
    layout: {
      mode: m.mode,
      sliceSize: m.sliceSize,
      dataShards: m.dataShards,
      parityShards: m.parityShards,
      shardSize: m.shardSize
    },
    fileKey: file.fileKey,
    fileId: m.fileId,
    version: m.seq,
    bufferSize: node.options.bufferSize,
    signal
  })
  for await (const slice of opened as AsyncIterable<OpenedSliceHandle>) {
    const sliceStart = slice.sliceIndex * m.sliceSize
    const from = Math.max(0, start - sliceStart)
    const to = Math.min(slice.plain.length, end - sliceStart)
    stats.slicesRead++
    yield slice.plain.subarray(from, to)
    if (reuse) slice.release()
  }
}

/** Slices fetched ahead of the one being opened: the next slice's shards travel while this one decodes. */
const FETCH_WINDOW = 2

async function* fetchSlices(
  node: NodeComponents,
  file: ReadableFile,
  first: number,
  last: number,
  stats: ReadStats,
  signal?: AbortSignal
): AsyncGenerator<FetchedSlice> {
  const ahead: Promise<FetchedSlice>[] = []
  let next = first
  const fetchNext = (): void => {
    const i = next++
    const entry = file.manifest.slices[i]!
    const fetched = fetchSliceShards(node, file, i, stats, signal).then((shards) => ({
      sliceIndex: i,
      nonce: entry.nonce,
      cipherLength: entry.cipherLength,
      plainLength: entry.plainLength,
      // No ids: every shard was checked against its id as it was fetched (fetchShard).
      shards
    }))
    // Awaited in order below; a later slice failing while an earlier one is read is not unhandled.
    fetched.catch(() => {})
    ahead.push(fetched)
  }
  try {
    while (next <= last || ahead.length > 0) {
      while (next <= last && ahead.length < FETCH_WINDOW) fetchNext()
      yield await ahead.shift()!
    }
  } finally {
    // A reader that stops early (error, cancel) leaves at most FETCH_WINDOW - 1 fetches to finish.
    await Promise.allSettled(ahead)
  }
}

/** k shards of slice `i` (the rest null), or TooFewShardsError naming the slice and the counts. */
export async function fetchSliceShards(
  node: NodeComponents,
  file: LocatedFile,
  i: number,
  stats: ReadStats,
  signal?: AbortSignal
): Promise<(Uint8Array | null)[]> {
  const layout = sliceLayout(file.manifest, i)
  const ids = file.manifest.slices[i]!.shards
  const k = layout.dataShards
  const shards: (Uint8Array | null)[] = ids.map(() => null)
  const served: string[] = []
  let corrupt = false
  const tryShard = async (j: number, holders = file.holders[i]?.[j] ?? []): Promise<boolean> => {
    // A holder's partner has the shard too: asked before parity when the holder is gone.
    for (const peer of connectedFirst(node, node.pairs.withPartners(holders))) {
      let wrongLength = false
      try {
        const bytes = await fetchShard(node, peer, ids[j]!, signal)
        served.push(peer)
        if (bytes.length !== layout.shardSize) {
          wrongLength = true
          throw new ShardCorruptError(
            `peer ${peer}: shard ${toHex(ids[j]!)} is ${bytes.length} bytes, not ${layout.shardSize}`,
            { shardId: toHex(ids[j]!), peer }
          )
        }
        shards[j] = bytes
        stats.shardsFetched++
        return true
      } catch (err) {
        if (signal?.aborted) throw err
        if (err instanceof ShardCorruptError) {
          corrupt = true
          stats.badPeers.add(peer)
          // A remote peer's bytes that do not hash to the id were reported by the shard client
          // already (its misbehavior hook is the scorer's): one lie, one audit failure. This
          // node's own copy and a wrong length are counted here.
          if (peer === node.peerId || wrongLength) node.scorer.observe(peer, { audit: 'fail' })
        } else {
          node.scorer.observe(peer, { heartbeat: 'missed' })
        }
      }
    }
    return false
  }
  const data = ids.slice(0, k).map((_, j) => j)
  const ok = await Promise.all(data.map((j) => tryShard(j)))
  let have = ok.filter(Boolean).length
  const parity = have < k
  if (have < k) {
    stats.slicesReconstructed++
    // Parity in batches of just as many as are still missing; each index is tried once.
    for (let next = k; next < ids.length && have < k; ) {
      const batch = Array.from({ length: Math.min(k - have, ids.length - next) }, (_, b) => next + b)
      next += batch.length
      have += (await Promise.all(batch.map((j) => tryShard(j)))).filter(Boolean).length
    }
  }
  if (have < k) {
    // Our placement may be out of date (a repairer moved shards without us): the holders' own
    // records, for the shards still missing, once.
    const found = await lookupHolders(node, file.manifest)
    const tried = file.holders[i] ?? []
    const more = ids.flatMap((_, j) => {
      const asked = node.pairs.withPartners(tried[j] ?? [])
      const fresh = (found[i]?.[j] ?? []).filter((p) => !asked.includes(p))
      return shards[j] === null && fresh.length > 0 ? [{ j, fresh }] : []
    })
    for (const { j, fresh } of more) {
      if (have >= k) break
      if (await tryShard(j, fresh)) have++
    }
  }
  if (parity || corrupt) {
    // The repair service tells the file's repairer; the read goes on meanwhile.
    node.events.safeDispatchEvent('slice:degraded', {
      detail: {
        fileIdHex: file.fileIdHex,
        owner: ownerIdOf(file.manifest.owner),
        slice: i,
        reason: corrupt ? 'corrupt' : 'parity',
        served: [...new Set(served)]
      }
    })
  }
  if (have < k) {
    throw new TooFewShardsError(`slice ${i}: have ${have} shards, need ${k}`)
  }
  return shards
}

/** Holders this node is connected to (or itself) first: a dial to a dead peer costs a timeout. */
function connectedFirst(node: NodeComponents, holders: string[]): string[] {
  const connected = new Set(node.host.getPeers().map(String))
  connected.add(node.peerId)
  return [...holders.filter((p) => connected.has(p)), ...holders.filter((p) => !connected.has(p))]
}
