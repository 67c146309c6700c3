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

/** Send `data`, waiting for the stream to drain when the muxer asks. */
export async function sendBytes(
  stream: Stream,
  data: Uint8Array | Uint8ArrayList,
  options?: AbortOptions
): Promise<void> {
  if (!stream.send(data)) await drained(stream, options)
}

/**
 * Resolves on the stream's next 'drain', rejects on 'close' or abort. Not `stream.onDrain()`:
 * in @libp2p/utils 7.4 its promise stays resolved after the first drain, so a sender that
 * awaits it overruns the write buffer and the stream is reset.
 */
export function drained(stream: Stream, options?: AbortOptions): Promise<void> {
  if (!stream.writableNeedsDrain) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const signal = options?.signal
    const done = (err?: unknown): void => {
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
          new Error(`stream ${stream.id} closed before it drained`)
      )
    const onAbort = (): void => done(signal?.reason)
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}

/**
 * Send one frame: its length prefix and the body (not copied) in one message, so the prefix does
 * not travel as a muxer frame (and a window update, and a noise message) of its own.
 */
export async function sendFrame(stream: Stream, body: Uint8Array, options?: AbortOptions): Promise<void> {
  await sendBytes(stream, new Uint8ArrayList(frameHeader(body.byteLength), body), options)
}

/** Send `body` as frames of at most `frameSize` bytes each (shard bytes after a put or data message). */
export async function sendChunked(
  stream: Stream,
  body: Uint8Array,
  frameSize: number,
  options?: AbortOptions & { stop?: () => boolean }
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
