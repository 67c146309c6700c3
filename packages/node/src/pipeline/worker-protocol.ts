// The messages between the slice pool and its worker threads. Slices and shards travel as
// transferred ArrayBuffers (moved, not copied); errors travel as plain data and are rebuilt as
// the same classes on the other side, so `instanceof` and `err.name` work across the thread.

import { isMarkedAsUntransferable, type MessagePort, type Worker } from 'node:worker_threads'
import { AuthenticationError } from '@defs/crypto'
import type { Shard } from '@defs/erasure'
import { ShardSizeError, TooFewShardsError } from '@defs/erasure'
import { ShardIdMismatchError } from '../errors.ts'
import type { OpenedSlice, OpenParams, SealedSlice, SealParams } from './slice-codec.ts'
import type { RebuildParams, RebuiltSlice } from './slice-rebuild.ts'

export type SliceJob =
  | { id: number; op: 'seal'; plain: Uint8Array; params: SealParams; out?: ArrayBuffer }
  | { id: number; op: 'open'; shards: Shard[]; params: OpenParams; out?: ArrayBuffer }
  | { id: number; op: 'rebuild'; shards: Shard[]; params: RebuildParams; out?: undefined }

export interface WireError {
  name: string
  message: string
  stack?: string
  corrupt?: number[]
}

export type SliceReply =
  | {
      id: number
      ok: true
      sealed?: SealedSlice
      opened?: OpenedSlice
      rebuilt?: RebuiltSlice
      spare: ArrayBuffer[]
    }
  | { id: number; ok: false; error: WireError; spare: ArrayBuffer[] }

/** Whether postMessage can move `b` (Node's Buffer pool is marked untransferable; WASM memory throws). */
function movable(b: ArrayBufferLike): b is ArrayBuffer {
  return b instanceof ArrayBuffer && b.byteLength > 0 && !isMarkedAsUntransferable(b)
}

/** The distinct movable ArrayBuffers under `views`. */
export function transferables(views: readonly Shard[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = []
  for (const v of views) if (v && movable(v.buffer) && !out.includes(v.buffer)) out.push(v.buffer)
  return out
}

/**
 * `views` made ready to move to another thread. A buffer moves (no copy) when the views cover all
 * of it; a view into part of a larger buffer, which the caller may share with other code (a
 * network read buffer, say), is copied, so only the given bytes leave and nothing else is detached.
 */
export function handOver<T extends Shard>(views: readonly T[]): { views: T[]; transfer: ArrayBuffer[] } {
  const ranges = new Map<ArrayBuffer, [number, number][]>()
  for (const v of views) {
    if (!v || !movable(v.buffer)) continue
    const list = ranges.get(v.buffer) ?? []
    list.push([v.byteOffset, v.byteOffset + v.byteLength])
    ranges.set(v.buffer, list)
  }
  const whole = new Set<ArrayBuffer>()
  for (const [buffer, list] of ranges) if (covered(list) === buffer.byteLength) whole.add(buffer)
  const out = views.map((v) =>
    v && !whole.has(v.buffer as ArrayBuffer) && !(v.buffer instanceof SharedArrayBuffer)
      ? (v.slice() as T)
      : v
  )
  return { views: out, transfer: transferables(out) }
}

/** Bytes covered by the union of [start, end) ranges. */
function covered(list: [number, number][]): number {
  list.sort((a, b) => a[0] - b[0])
  let total = 0
  let reach = 0
  for (const [start, end] of list) {
    total += Math.max(0, end - Math.max(start, reach))
    reach = Math.max(reach, end)
  }
  return total
}

export function toWire(e: unknown): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) }
  const corrupt = e instanceof ShardIdMismatchError ? e.corrupt : undefined
  return { name: e.name, message: e.message, stack: e.stack, ...(corrupt ? { corrupt } : {}) }
}

const known: Record<string, new (message: string) => Error> = {
  AuthenticationError,
  TooFewShardsError,
  ShardSizeError,
  RangeError,
  TypeError
}

/** The error as the class it was thrown as in the worker, with the worker's stack. */
export function fromWire(w: WireError): Error {
  const e =
    w.name === 'ShardIdMismatchError'
      ? new ShardIdMismatchError(w.message, w.corrupt ?? [])
      : new (known[w.name] ?? Error)(w.message)
  if (e.name !== w.name) e.name = w.name
  if (w.stack !== undefined)
    e.stack = `${e.name}: ${w.message}\n    (in a slice worker)\n${w.stack.split('\n').slice(1).join('\n')}`
  return e
}

/** Posts `message`, moving `transfer`; when a buffer there cannot be moved, clones everything instead. */
export function post(to: MessagePort | Worker, message: unknown, transfer: ArrayBuffer[]): void {
  try {
    to.postMessage(message, transfer)
  } catch (e) {
    if ((e as Error).name !== 'DataCloneError' || transfer.length === 0) throw e
    to.postMessage(message)
  }
}
