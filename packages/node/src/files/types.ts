// The files subsystem's public face (`node.files`): what the library, the daemon's HTTP API and
// the CLI use to store, read, check and delete files.
import type { SigningKey } from '@defs/crypto'
import type { ByteRange } from '@defs/net'
import type { StorageMode, StorageModeChoice } from '@defs/segment'
import type { RepairInProgress } from '../repair/repairs-in-progress.ts'
import type { TaskProgress, TaskRecord } from '../tasks/task-types.ts'

export type { ByteRange }

/** Where put() reads from: a file path, a web ReadableStream, or any async iterable of bytes. */
export type FileSource = string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/** A file id (32 hex chars) or a read capability `defs:<fileId>:<key>`. */
export type FileRef = string

export interface PutOptions {
  mode?: StorageModeChoice
  dataShards?: number
  parityShards?: number
  /** Stored encrypted in the manifest; shown by list(). Defaults to the file's base name. */
  name?: string
  /** Bytes the source will produce, when known (lets `auto` pick a layout before reading). */
  size?: number
  priority?: number
  /**
   * The key that owns the file (signs its shard headers and manifest), e.g. a logged-in user's;
   * default the node's own user. Kept in memory only, so such an upload does not resume after a
   * restart.
   */
  owner?: SigningKey
  onProgress?: (progress: TaskProgress) => void
}

export interface ShardPlacement {
  index: number
  peerId: string
  /**
   * The durable copies the holder acknowledged: 2 from a paired holder whose partner took its
   * copy, 1 otherwise (a paired holder's 1 is a degraded shard until the pair's sync adds it).
   */
  copies?: number
}

export interface PutResult {
  fileId: string
  /** `defs:<fileId>:<key>`: whoever holds it can read the file. */
  capability: string
  taskId: string
  size: number
  mode: StorageMode
  dataShards: number
  parityShards: number
  sliceSize: number
  /** Where each slice's shards went. */
  placement: { slice: number; shards: ShardPlacement[] }[]
  /** Why the code differs from the one asked for (auto with few peers), and placement caveats, if any. */
  note?: string
  /** Peers still on probation (not trusted, not yet known) that hold shards: too few proven peers. */
  unproven?: string[]
  /**
   * Shards a paired holder acknowledged with one durable copy, its partner unreachable: degraded
   * until the pair's sync gives the partner its copy.
   */
  oneCopy?: number
}

export interface GetOptions {
  range?: ByteRange
  onProgress?: (progress: TaskProgress) => void
}

export interface ReadOptions {
  range?: ByteRange
  /** Called once, after the last byte was read, with what the read took (e.g. slices rebuilt). */
  onResult?: (result: GetResult) => void
}

export interface GetResult {
  fileId: string
  bytes: number
  slicesRead: number
  shardsFetched: number
  /** Slices that needed parity shards (some data shard was missing or bad). */
  slicesReconstructed: number
  /** Peers that served a shard that did not match its id; their score was lowered. */
  badPeers: string[]
}

export interface FileInfo {
  fileId: string
  name: string
  size: number
  mode: StorageMode
  dataShards: number
  parityShards: number
  slices: number
  seq: number
  created: number
  /** This node holds the file key (it uploaded the file or was given the capability). */
  readable: boolean
  /** list() only: the user (id) whose mirror this node is, when the file is theirs. */
  mirrored?: string
  /** A repair task of this node queued, running or paused for the file; absent when none is. */
  repair?: RepairInProgress
}

export interface SliceHealth {
  slice: number
  /** Shards answered present by their holders (has) or proven by audit. */
  live: number
  dataShards: number
  totalShards: number
  holders: string[]
  /**
   * The live shards grouped by the pair holding them (a pair mirrors its shards: one failure
   * domain), the most first. A holder this node knows no partner of is a group of its own.
   */
  pairs: PairShards[]
}

/** What one pair (or one unpaired node) holds of a slice. */
export interface PairShards {
  /** The pair's two peers, sorted; one peer for a holder with no known partner. */
  peers: string[]
  /** Indices of the slice's shards it holds a live copy of. */
  shards: number[]
  /** How many: `shards.length`. */
  count: number
  /**
   * Losing this pair would lose the slice: it holds more than m of the slice's shards (in the
   * replicated modes, one shard in m + 1 copies: every live copy). Placement never does that.
   */
  overBound: boolean
}

export interface FileHealth {
  fileId: string
  slices: SliceHealth[]
  /** The fewest live shards of any slice; the file reads while this is >= k. */
  minLive: number
  readable: boolean
}

/** A file resolved once (manifest verified, key found): what stat and read share. */
export interface OpenFile {
  readonly info: FileInfo
  /** Streams the file (or a range) in order; the holders are looked up on the first read. */
  read(options?: ReadOptions): AsyncIterable<Uint8Array>
}

export interface FileApi {
  put(source: FileSource, options?: PutOptions): Promise<PutResult>
  /** Writes the file (or a range) to `destination` as a persisted, resumable download task. */
  get(ref: FileRef, destination: string, options?: GetOptions): Promise<GetResult>
  /** Starts that download task and returns its record at once (follow it through node.tasks). */
  download(ref: FileRef, destination: string, options?: Pick<GetOptions, 'range'>): Promise<TaskRecord>
  /** Streams the file (or a range) in order, for HTTP responses and pipes. */
  read(ref: FileRef, options?: ReadOptions): AsyncIterable<Uint8Array>
  /** Resolves the file once, for a caller that needs its size before it streams it. */
  open(ref: FileRef): Promise<OpenFile>
  stat(ref: FileRef): Promise<FileInfo>
  list(): Promise<FileInfo[]>
  /** Live shards of every slice against k, asked of their holders. */
  check(ref: FileRef): Promise<FileHealth>
  /** Owner-signed deletes to every holder, manifest tombstoned. */
  /** `owner`: the key that owns the file when it is not the node's user (a logged-in user's). */
  rm(ref: FileRef, options?: { owner?: SigningKey }): Promise<{ fileId: string; shardsDeleted: number }>
}
