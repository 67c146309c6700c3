// How a file is cut and coded: the storage mode, slice size and code of one upload, decided once
// before the first byte is read. The per-slice shard shape follows @defs/segment's sliceLayout, so
// what is sealed here is what the manifest codec accepts and a reader recomputes.
import {
  limits,
  type SliceCoding,
  type StorageMode,
  type StorageModeChoice,
  shardShape as sliceShape,
  storageModeChoices
} from '@defs/segment'
import { FileModeSizeError, LayoutError, NotEnoughPeersError } from '../errors.ts'

export type { SliceCoding, StorageMode }

/** AES-GCM adds its 16-byte tag to every slice: cipherLength = plainLength + 16. */
export const SEAL_OVERHEAD = 16

export interface LayoutRequest {
  /** Plaintext bytes, when known (a stream of unknown size is cut into maxSliceSize slices). */
  size?: number
  mode: StorageModeChoice
  /** k (rs-proportion), and the code auto starts from. */
  dataShards: number
  /** m: parity shards, or in the replicated modes the extra copies (r = m + 1). */
  parityShards: number
  minSliceSize: number
  maxSliceSize: number
  /** Fixed shard bytes of rs-size. */
  shardSize: number
  /** Peers that can take shards; when given, a code wider than this is refused (or shrunk by auto). */
  peers?: number
  /**
   * With `peers`: how many of them a slice with m parity shards can use (a pair takes at most m);
   * auto picks a code that fits it. Default: all of them.
   */
  room?: (parityShards: number) => number
  /** With `workers`: bytes one transfer may hold, so the slice size is capped to keep workers + 1 slices in it. */
  bufferSize?: number
  workers?: number
}

export interface Layout {
  mode: StorageMode
  /** Plaintext bytes of every slice but the last. */
  sliceSize: number
  /** k of a full slice (1 in the replicated modes). */
  dataShards: number
  /** m: parity shards, or the extra copies of each slice in the replicated modes. */
  parityShards: number
  /** rs-size only: the fixed shard size. */
  shardSize?: number
  /** Slices of the file, when its size is known. */
  slices?: number
  /** Why auto chose this, or why a code is narrower than asked. */
  reason?: string
}

/** How one slice is cut: k data shards and m parity shards of shardSize bytes each. */
export interface ShardShape {
  dataShards: number
  parityShards: number
  shardSize: number
}

/** The shards of one slice of `cipherLength` sealed bytes: @defs/segment's rule, without the copies. */
export function shardShape(coding: SliceCoding, cipherLength: number): ShardShape {
  const { dataShards, parityShards, shardSize } = sliceShape(coding, cipherLength)
  return { dataShards, parityShards, shardSize }
}

const KiB = 1024

export function planLayout(request: LayoutRequest): Layout {
  const r = checkRequest(request)
  if (r.mode === 'file') return fileLayout(r, r.parityShards + 1, undefined)
  if (r.mode === 'slice') {
    checkPeers(r.peers, r.parityShards + 1, `slice mode with ${r.parityShards + 1} replicas`)
    return withCount(r, {
      mode: 'slice',
      sliceSize: sliceSizeFor(r, 2),
      dataShards: 1,
      parityShards: r.parityShards
    })
  }
  if (r.mode === 'rs-size') return rsSizeLayout(r)
  if (r.mode === 'rs-proportion') {
    const { dataShards: k, parityShards: m } = r
    checkPeers(r.peers, k + m, `rs-proportion ${k}+${m}`)
    return proportional(r, k, m, undefined)
  }
  return autoLayout(r)
}

function autoLayout(r: LayoutRequest): Layout {
  const { dataShards: k, parityShards: m, peers } = r
  // Whether n shards with `parity` of them parity fit on the peers (and their pairs).
  const fits = (n: number, parity: number) =>
    peers === undefined || (peers >= n && (r.room?.(parity) ?? peers) >= n)
  // The most copies of one object (1 to `most`) the peers can hold: both nodes of a pair have
  // the same copy, so a pair counts once (room with no parity).
  const copies = (most: number) => {
    let n = Math.max(1, most)
    while (n > 1 && !fits(n, 0)) n--
    return n
  }
  const paired = peers !== undefined && r.room !== undefined && r.room(1) < peers ? ' in pairs' : ''
  if (r.size !== undefined && r.size < r.minSliceSize) {
    checkPeers(peers, 1, 'file mode')
    const replicas = copies(peers === undefined ? m + 1 : Math.min(m + 1, peers))
    const why = `${r.size} bytes is below minSliceSize ${r.minSliceSize}: one object, ${replicas} replicas`
    return fileLayout(r, replicas, replicas < m + 1 ? `${why} (only ${peers} peers${paired})` : why)
  }
  if (peers === undefined || fits(k + m, m)) {
    const why =
      r.size === undefined ? 'size unknown' : `${r.size} bytes is at least minSliceSize ${r.minSliceSize}`
    return proportional(r, k, m, `${why}: rs-proportion ${k}+${m}`)
  }
  checkPeers(peers, 1, `rs-proportion ${k}+${m}`)
  // The widest code that fits, keeping the share of parity as close to m / (k + m) as it can, or
  // more parity where a pair's bound needs it (with m = 1 a pair takes one shard of a slice, with
  // m >= 2 both of its nodes take one).
  for (let n = peers; n >= 3; n--) {
    for (let m2 = Math.min(n - 1, Math.max(1, Math.round((n * m) / (k + m)))); m2 < n; m2++) {
      if (fits(n, m2)) {
        return proportional(
          r,
          n - m2,
          m2,
          `only ${peers} peers${paired}: rs-proportion ${n - m2}+${m2}, not ${k}+${m}`
        )
      }
    }
  }
  // k + m >= 3 is the narrowest code that saves space over copies; below it, replicate slices.
  const replicas = copies(peers)
  return withCount(r, {
    mode: 'slice',
    sliceSize: sliceSizeFor(r, 2),
    dataShards: 1,
    parityShards: replicas - 1,
    reason: `only ${peers} peers${paired}: slices with ${replicas} replicas, not ${k}+${m}`
  })
}

function proportional(r: LayoutRequest, k: number, m: number, reason: string | undefined): Layout {
  const sliceSize = sliceSizeFor(r, 1 + (k + m) / k)
  return withCount(r, { mode: 'rs-proportion', sliceSize, dataShards: k, parityShards: m, reason })
}

function rsSizeLayout(r: LayoutRequest): Layout {
  const { shardSize, parityShards: m } = r
  // k grows with the slice, and k + m may not pass 256: that caps the slice at (256 - m) shards.
  const widest = (limits.maxShardsPerSlice - m) * shardSize - SEAL_OVERHEAD
  if (widest < 1) {
    throw new LayoutError(
      `shardSize ${shardSize} with parityShards ${m} leaves no room for a slice (k + m <= 256)`
    )
  }
  // Sealed bytes are about (k + m) / k of the plaintext, with k about maxSliceSize / shardSize.
  const expansion = 2 + m / Math.max(1, Math.floor(r.maxSliceSize / shardSize))
  const sliceSize = Math.min(
    sliceSizeFor({ ...r, maxSliceSize: Math.min(r.maxSliceSize, widest) }, expansion),
    widest
  )
  const k = Math.ceil((sliceSize + SEAL_OVERHEAD) / shardSize)
  checkPeers(r.peers, k + m, `rs-size ${k}+${m} (${shardSize}-byte shards)`)
  const reason =
    widest < r.maxSliceSize && sliceSize === widest
      ? `slices capped at ${widest} bytes so k + m <= 256`
      : undefined
  return withCount(r, { mode: 'rs-size', sliceSize, dataShards: k, parityShards: m, shardSize, reason })
}

function fileLayout(r: LayoutRequest, replicas: number, reason: string | undefined): Layout {
  if (r.size === undefined) {
    throw new FileModeSizeError(
      'file mode stores one slice, so it needs the size up front; use slice or rs-proportion for a stream of unknown size'
    )
  }
  if (r.size > r.maxSliceSize) {
    throw new FileModeSizeError(
      `file mode stores one slice of at most maxSliceSize ${r.maxSliceSize} bytes, got ${r.size}`
    )
  }
  checkPeers(r.peers, replicas, `file mode with ${replicas} replicas`)
  return withCount(r, {
    mode: 'file',
    sliceSize: Math.max(1, r.size),
    dataShards: 1,
    parityShards: replicas - 1,
    reason
  })
}

/**
 * Plaintext bytes per slice: maxSliceSize, lowered so that `workers + 1` slices (plain plus sealed,
 * `expansion` times the plaintext) fit in bufferSize, but not below minSliceSize; never more than
 * the file, never so small that the file needs more than limits.maxSlices slices.
 */
function sliceSizeFor(r: LayoutRequest, expansion: number): number {
  let size = r.maxSliceSize
  if (r.bufferSize !== undefined && r.workers !== undefined) {
    const fit = Math.floor(r.bufferSize / ((r.workers + 1) * expansion))
    size = Math.min(size, Math.max(r.minSliceSize, fit >= 64 * KiB ? fit - (fit % (64 * KiB)) : fit))
  }
  if (r.size === undefined) return Math.max(1, size)
  const fewest = Math.ceil(r.size / limits.maxSlices)
  if (fewest > r.maxSliceSize) {
    throw new LayoutError(
      `size ${r.size} needs slices over maxSliceSize ${r.maxSliceSize} (at most ${limits.maxSlices} slices)`
    )
  }
  return Math.max(1, fewest, Math.min(size, r.size))
}

function withCount(r: LayoutRequest, layout: Layout): Layout {
  const out: Layout = { ...layout }
  if (out.reason === undefined) delete out.reason
  if (out.shardSize === undefined) delete out.shardSize
  if (r.size !== undefined) out.slices = Math.max(1, Math.ceil(r.size / layout.sliceSize))
  return out
}

function checkPeers(peers: number | undefined, needed: number, what: string): void {
  if (peers !== undefined && peers < needed) {
    throw new NotEnoughPeersError(`${what} needs ${needed} peers, the network has ${peers}`, needed, peers)
  }
}

function checkRequest(r: LayoutRequest): LayoutRequest {
  if (typeof r !== 'object' || r === null) throw new TypeError('layout request must be an object')
  if (!(storageModeChoices as readonly string[]).includes(r.mode))
    throw new LayoutError(`mode must be one of ${storageModeChoices.join(', ')}, got ${String(r.mode)}`)
  if (r.size !== undefined) integer('size', r.size, 0)
  integer('dataShards', r.dataShards, 1, 255)
  integer('parityShards', r.parityShards, 0, 255)
  if (r.dataShards + r.parityShards > limits.maxShardsPerSlice) {
    throw new LayoutError(
      `dataShards + parityShards must be at most 256, got ${r.dataShards + r.parityShards}`
    )
  }
  integer('minSliceSize', r.minSliceSize, 1)
  integer('maxSliceSize', r.maxSliceSize, r.minSliceSize, limits.maxSliceSize)
  integer('shardSize', r.shardSize, 1)
  if (r.peers !== undefined) integer('peers', r.peers, 0)
  if (r.bufferSize !== undefined) integer('bufferSize', r.bufferSize, 1)
  if (r.workers !== undefined) integer('workers', r.workers, 1)
  return r
}

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new LayoutError(`${name} must be an integer ${min}..${max}, got ${String(value)}`)
  }
}
