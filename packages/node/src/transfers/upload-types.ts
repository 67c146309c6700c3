// What an upload task persists: its parameters (set once) and its checkpoint (after every slice).
import type { Layout } from '../pipeline/index.ts'
import type { HeldShard } from '../steps/delete-shards.ts'

export interface UploadParams {
  fileIdHex: string
  /** The file to read; null when the source was a stream (then a restart cannot resume it). */
  path: string | null
  name: string
  size?: number
  layout: Layout
  version: number
  /**
   * The owner id (ownerIdOf) when the file is owned by another key than the node's own user
   * (a logged-in user's upload). That key lives in memory only: a restart cannot resume it.
   */
  owner?: string
}

export interface UploadedSlice {
  plainLength: number
  cipherLength: number
  nonce: string
  /** Shard ids (hex), data then parity. */
  shards: string[]
  /** Peers holding each shard (several in the replicated modes). */
  holders: string[][]
  /**
   * The durable copies each holder acknowledged, beside `holders` (2 from a paired holder whose
   * partner took its copy, 1 otherwise). Absent in checkpoints written before it was kept.
   */
  copies?: number[][]
  /**
   * Each shard's signed header (encoded, hex) when the file is owned by another key than the
   * node's user: its home keeps them for mirrors (mirror/owner-headers.ts).
   */
  headers?: string[]
  /**
   * Shards (indices) a paired holder acknowledged with one durable copy (its partner was
   * unreachable): degraded until the pair's sync sends the partner its copy.
   */
  oneCopy?: number[]
}

export interface UploadCheckpoint {
  slices: UploadedSlice[]
  bytesDone: number
  /**
   * Shards stored for slices that were not committed (placed while the task stopped, or part of a
   * slice that failed): deleted on cancel and after the manifest is signed, never left behind.
   */
  stray?: HeldShard[]
}

export interface UploadResult {
  fileIdHex: string
  size: number
  slices: number
  holders: string[][][]
  /** The durable copies each holder acknowledged, beside `holders` (see UploadedSlice.copies). */
  copies: (number[][] | undefined)[]
  /** Shards acknowledged by a paired holder with one durable copy (see UploadedSlice.oneCopy). */
  oneCopy: number
}

/** Copies of each shard: the replicated modes keep m + 1 copies of their one shard per slice. */
export function replicasOf(layout: Layout): number {
  return layout.mode === 'file' || layout.mode === 'slice' ? layout.parityShards + 1 : 1
}
