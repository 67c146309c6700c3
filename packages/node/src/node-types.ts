// The public face of a running DeFS node: what the library, the daemon's HTTP API and the CLI use.
import type { ByteRange } from '@defs/net'

export type { ByteRange }

import type { StorageMode } from './options.ts'
import type { TaskProgress, TaskRecord } from './tasks/task-types.ts'

/** Where put() reads from: a file path, a web ReadableStream, or any async iterable of bytes. */
export type FileSource = string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/** A file id (32 hex chars) or a read capability `defs:<fileId>:<key>`. */
export type FileRef = string

export interface PutOptions {
  mode?: StorageMode
  dataShards?: number
  parityShards?: number
  /** Stored encrypted in the manifest; shown by list(). Defaults to the file's base name. */
  name?: string
  /** Bytes the source will produce, when known (lets `auto` pick a layout before reading). */
  size?: number
  priority?: number
  onProgress?: (progress: TaskProgress) => void
}

export interface ShardPlacement {
  index: number
  peerId: string
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
  /** Why the code differs from the one asked for (auto with few peers), if it does. */
  note?: string
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
}

export interface SliceHealth {
  slice: number
  /** Shards answered present by their holders (has) or proven by audit. */
  live: number
  dataShards: number
  totalShards: number
  holders: string[]
}

export interface FileHealth {
  fileId: string
  slices: SliceHealth[]
  /** The fewest live shards of any slice; the file reads while this is >= k. */
  minLive: number
  readable: boolean
}

export interface PeerInfo {
  peerId: string
  addresses: string[]
  score: number
  rttMs?: number
}

export interface NodeStatus {
  peerId: string
  addresses: string[]
  peers: number
  storedBytes: number
  storedShards: number
  maxStorage: number
  tasks: Record<TaskRecord['state'], number>
}

export interface DefsNode {
  readonly peerId: string
  readonly dataDir: string
  addresses(): string[]
  put(source: FileSource, options?: PutOptions): Promise<PutResult>
  /** Writes the file (or a range) to `destination` (a path: temp file, renamed at the end). */
  get(ref: FileRef, destination: string, options?: GetOptions): Promise<GetResult>
  /** Streams the file (or a range) in order, for HTTP responses and pipes. */
  read(ref: FileRef, options?: ReadOptions): AsyncIterable<Uint8Array>
  stat(ref: FileRef): Promise<FileInfo>
  list(): Promise<FileInfo[]>
  check(ref: FileRef): Promise<FileHealth>
  /** Owner-signed deletes to every holder, manifest tombstoned. */
  rm(ref: FileRef): Promise<{ fileId: string; shardsDeleted: number }>
  tasks(): TaskRecord[]
  task(id: string): TaskRecord
  pauseTask(id: string): Promise<TaskRecord>
  resumeTask(id: string): Promise<TaskRecord>
  cancelTask(id: string): Promise<TaskRecord>
  status(): Promise<NodeStatus>
  peers(): Promise<PeerInfo[]>
  /** Dials a peer by multiaddr (devnets, manual joins). */
  connect(multiaddr: string): Promise<void>
  /** Stops at a consistent point: tasks paused and persisted, stores closed, lock released. */
  stop(): Promise<void>
}
