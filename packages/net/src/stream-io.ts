// Writing frames on libp2p 3 streams (message-oriented, `send()` with backpressure) and reading
// them one at a time with @defs/segment's capped frame reader.

import { FrameReader, frameHeader } from '@defs/segment'
import type { AbortOptions, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

/** Read a single frame, then stop reading (one-message protocols). */
export async function readOneFrame(stream: Stream, maxFrameSize: number): Promise<Uint8Array | undefined> {
  const reader = new FrameReader(stream, { maxFrameSize })
  try {
    return await reader.next()
  } finally {
    void reader.close().catch(() => {})
  }
}

/**
 * Send `data`, first waiting for drains while it would not fit the muxer's write buffer beside
 * what the buffer holds: a slow peer makes us wait instead of overrunning the buffer's limit
 * (where the muxer would abort the stream under us), and up to that limit frames queue so the
 * muxer always has the next one. Data larger than the limit itself (a one-frame answer carrying
 * a big shard) goes in pieces of the limit, each waiting its turn the same way. Throws if the
 * stream can no longer be written.
 */
export async function sendBytes(
  stream: Stream,
  data: Uint8Array | Uint8ArrayList,
  options?: DrainOptions
): Promise<void> {
  const room = stream.maxWriteBufferLength ?? 0
  if (room > 0 && Number.isFinite(room) && data.byteLength > room) {
    const list = data instanceof Uint8ArrayList ? data : new Uint8ArrayList(data)
    for (let at = 0; at < list.byteLength; at += room) {
      await sendBytes(stream, list.sublist(at, Math.min(list.byteLength, at + room)), options)
    }
    return
  }
  while (stream.writableNeedsDrain && stream.writeBufferLength + data.byteLength > room) {
    await drained(stream, options)
  }
  assertWritable(stream)
  stream.send(data)
  // the muxer aborts a stream whose write buffer passes its limit inside send()
  assertWritable(stream)
}

export interface DrainOptions extends AbortOptions {
  /** Give up after this long without a drain. Default 60 s (a stream inactivity period). */
  drainTimeoutMs?: number
}

/**
 * Resolves on the stream's next 'drain'; rejects at once if the stream can no longer be written
 * (closed, reset, aborted: its 'close' may have fired already), on 'close', on abort, and after
 * `drainTimeoutMs`. Not `stream.onDrain()`: in @libp2p/utils 7.4 its promise stays resolved
 * after the first drain, so a sender that awaits it overruns the write buffer and is reset.
 */
export function drained(stream: Stream, options?: DrainOptions): Promise<void> {
  if (!stream.writableNeedsDrain) return Promise.resolve()
  try {
    assertWritable(stream)
    options?.signal?.throwIfAborted()
  } catch (err) {
    return Promise.reject(err)
  }
  return new Promise((resolve, reject) => {
    const signal = options?.signal
    const ms = options?.drainTimeoutMs ?? DRAIN_TIMEOUT_MS
    const done = (err?: unknown): void => {
      clearTimeout(timer)
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err === undefined) resolve()
      else reject(err)
    }
    const onDrain = (): void => done()
    const onClose = (event: Event): void =>
      done(
        (event as Event & { error?: Error }).error ??
          new StreamNotWritableError(`stream ${stream.id} closed before it drained`)
      )
    const onAbort = (): void => done(signal?.reason)
    const timer = setTimeout(
      () => done(new StreamNotWritableError(`stream ${stream.id} did not drain within ${ms} ms`)),
      ms
    )
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

const DRAIN_TIMEOUT_MS = 60_000

/** A write to a stream that cannot take it (closed, reset, aborted, or stuck undrained). */
export class StreamNotWritableError extends Error {
  static override name = 'StreamNotWritableError'
  override name = 'StreamNotWritableError'
}

function assertWritable(stream: Stream): void {
  const ended = stream.status === 'closed' || stream.status === 'aborted' || stream.status === 'reset'
  if (ended || stream.writeStatus === 'closed') {
    throw new StreamNotWritableError(
      `stream ${stream.id} is ${stream.status}, its writable end ${stream.writeStatus}`
    )
  }
}

/**
 * Send one frame: its length prefix and the body (not copied) in one message, so the prefix does
 * not travel as a muxer frame (and a window update, and a noise message) of its own.
 */
export async function sendFrame(stream: Stream, body: Uint8Array, options?: DrainOptions): Promise<void> {
  await sendBytes(stream, new Uint8ArrayList(frameHeader(body.byteLength), body), options)
}

/** Send `body` as frames of at most `frameSize` bytes each (shard bytes after a put or data message). */
export async function sendChunked(
  stream: Stream,
  body: Uint8Array,
  frameSize: number,
  options?: DrainOptions & { stop?: () => boolean }
): Promise<void> {
  for (let at = 0; at < body.byteLength; at += frameSize) {
    if (options?.stop?.() === true) return
    await sendFrame(stream, body.subarray(at, Math.min(body.byteLength, at + frameSize)), options)
  }
}

/** Resolves when `stream` has closed (or was reset), or after `ms`, whichever comes first. */
export function closed(stream: Stream, ms: number): Promise<void> {
  if (stream.status === 'closed' || stream.status === 'reset' || stream.status === 'aborted')
    return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      stream.removeEventListener('close', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    stream.addEventListener('close', done)
  })
}
