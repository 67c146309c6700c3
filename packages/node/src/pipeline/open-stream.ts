// Download direction: fetched shards -> opened on the pool's threads -> plaintext in slice order
// -> a file, a web WritableStream or a Node Writable. Fetching runs ahead of the writer by at
// most bufferSize bytes, so a slow disk or reader slows the fetching instead of filling memory.
import { open } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import type { Shard } from '@defs/erasure'
import type { OpenedSlice, OpenParams } from './slice-codec.ts'
import { codingOf, inOrder, releasable, type TransferOptions } from './transfer.ts'

/** One slice as fetched: its shards (missing ones null) and its manifest entry. */
export interface FetchedSlice
  extends Pick<OpenParams, 'sliceIndex' | 'nonce' | 'cipherLength' | 'plainLength' | 'ids'> {
  shards: Shard[]
}

export interface OpenedSliceHandle extends OpenedSlice {
  /** Hands the plaintext memory back to the pool; call it once `plain` is written and no view of it is kept. */
  release(): void
}

export interface OpenSlicesOptions extends TransferOptions {
  /** Told about shards that did not match their ids (the slice opened from others): name and score down their peer. */
  onCorrupt?: (sliceIndex: number, shards: number[]) => void
}

/** Opens fetched slices in order. The shards' ArrayBuffers move to the workers (detached in the caller). */
export function openSlices(
  slices: AsyncIterable<FetchedSlice> | Iterable<FetchedSlice>,
  options: OpenSlicesOptions
): AsyncGenerator<OpenedSliceHandle> {
  const { pool, layout, fileKey, fileId, version, onCorrupt } = options
  const buffers = pool.buffers
  const coding = codingOf(layout)
  const openOne = async (f: FetchedSlice): Promise<OpenedSliceHandle> => {
    const { sliceIndex, nonce, cipherLength, plainLength, ids } = f
    const params = { ...coding, sliceIndex, nonce, cipherLength, plainLength, ids, fileKey, fileId, version }
    const opened = await pool.open(f.shards, params, buffers.reuse(layout.sliceSize))
    if (opened.corrupt.length > 0) onCorrupt?.(f.sliceIndex, opened.corrupt)
    return releasable(opened, opened.plain.buffer, buffers)
  }
  return inOrder(slices, openOne, options)
}

export type SliceDestination = string | WritableStream<Uint8Array> | Writable

/**
 * Writes opened slices in order to a file path (created or truncated), a web WritableStream or a
 * Node Writable, waiting for each to take the bytes (backpressure). Slice memory goes back to the
 * pool after a file write; streams may keep the chunk, so theirs is left to the garbage collector.
 * Returns the bytes written.
 */
export async function writeSlices(
  slices: AsyncIterable<OpenedSliceHandle>,
  destination: SliceDestination
): Promise<number> {
  let written = 0
  if (typeof destination === 'string') {
    const file = await open(destination, 'w')
    try {
      for await (const s of slices) {
        for (let at = 0; at < s.plain.length; ) {
          at += (await file.write(s.plain, at, s.plain.length - at)).bytesWritten
        }
        written += s.plain.length
        s.release()
      }
    } finally {
      await file.close()
    }
    return written
  }
  if (typeof (destination as WritableStream).getWriter === 'function') {
    const writer = (destination as WritableStream<Uint8Array>).getWriter()
    try {
      for await (const s of slices) {
        await writer.write(s.plain)
        written += s.plain.length
      }
      await writer.close()
    } finally {
      writer.releaseLock()
    }
    return written
  }
  const stream = destination as Writable
  for await (const s of slices) {
    if (!stream.write(s.plain)) await waitForDrain(stream)
    written += s.plain.length
  }
  return written
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error): void => {
      stream.off('drain', done)
      stream.off('error', done)
      stream.off('close', done)
      if (e instanceof Error) reject(e)
      else resolve()
    }
    stream.on('drain', done)
    stream.on('error', done)
    stream.on('close', done)
  })
}
