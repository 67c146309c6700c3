// Cuts a source into whole slices: a file path (read straight into the slice buffer, no copy), a
// web ReadableStream or any async iterable of bytes (a Node Readable is one), whose chunks are
// copied into the slice being filled. Slice buffers come from a BufferPool when one is given, so a
// long file reuses a handful of buffers instead of allocating one per slice.
import { open } from 'node:fs/promises'
import { BufferPool } from './buffer-pool.ts'

export type SliceSource =
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>

export interface CutSlicesOptions {
  /** Where slice buffers come from (and go back to once a slice is done with); default: fresh ones. */
  buffers?: BufferPool
  signal?: AbortSignal
}

/**
 * Yields the source as slices of `sliceSize` bytes, the last one shorter. An empty source yields
 * exactly one empty slice, so a 0-byte file still has one authenticated slice in its manifest
 * (@defs/segment's sliceCount is never 0). A slice is a view at the start of its own ArrayBuffer
 * of sliceSize bytes (or an empty one), which the consumer owns: it may move it to a worker or
 * give it back to the pool.
 */
export async function* cutSlices(
  source: SliceSource,
  sliceSize: number,
  options: CutSlicesOptions = {}
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(sliceSize) || sliceSize < 1) {
    throw new RangeError(`sliceSize must be a positive integer, got ${String(sliceSize)}`)
  }
  const buffers = options.buffers ?? new BufferPool(0)
  if (typeof source === 'string') yield* readFile(source, sliceSize, buffers, options.signal)
  else yield* regroup(chunksOf(source), sliceSize, buffers, options.signal)
}

async function* readFile(
  path: string,
  sliceSize: number,
  buffers: BufferPool,
  signal: AbortSignal | undefined
): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r')
  try {
    for (let index = 0; ; index++) {
      signal?.throwIfAborted()
      const slice = new Uint8Array(buffers.take(sliceSize))
      let filled = 0
      while (filled < sliceSize) {
        const { bytesRead } = await file.read(slice, filled, sliceSize - filled, null)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      if (filled === 0 && index > 0) {
        buffers.give(slice.buffer)
        return
      }
      yield slice.subarray(0, filled)
      if (filled < sliceSize) return
    }
  } finally {
    await file.close()
  }
}

async function* regroup(
  chunks: AsyncIterable<Uint8Array>,
  sliceSize: number,
  buffers: BufferPool,
  signal: AbortSignal | undefined
): AsyncGenerator<Uint8Array> {
  // The next slice's buffer is taken when its first byte arrives, so a source that ends on a
  // slice boundary takes no buffer it does not fill.
  let slice: Uint8Array | undefined
  let filled = 0
  let yielded = false
  for await (const chunk of chunks) {
    signal?.throwIfAborted()
    if (!(chunk instanceof Uint8Array))
      throw new TypeError(`source chunks must be Uint8Arrays, got ${typeof chunk}`)
    for (let at = 0; at < chunk.length; ) {
      slice ??= new Uint8Array(buffers.take(sliceSize))
      const n = Math.min(chunk.length - at, sliceSize - filled)
      slice.set(chunk.subarray(at, at + n), filled)
      filled += n
      at += n
      if (filled === sliceSize) {
        yield slice
        yielded = true
        slice = undefined
        filled = 0
      }
    }
  }
  if (slice !== undefined) yield slice.subarray(0, filled)
  else if (!yielded) yield new Uint8Array(0)
}

/** Chunks of any accepted stream source; a web ReadableStream is read through its reader, released on exit. */
async function* chunksOf(source: Exclude<SliceSource, string>): AsyncGenerator<Uint8Array> {
  if (typeof (source as ReadableStream).getReader !== 'function') {
    yield* source as AsyncIterable<Uint8Array> | Iterable<Uint8Array>
    return
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    // Stopping early cancels the stream, so its producer is not left waiting for a reader.
    await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
