// Length-prefixed frames for streams: an unsigned LEB128 varint (at most 5 bytes, minimal) then
// the body. The prefix is checked against the protocol's maxFrameSize byte by byte, so a 2 GiB
// or endless prefix fails at once, and a body is allocated only after its length passed the cap.
import { FrameTooLargeError, MalformedFrameError, TruncatedFrameError, WrongTypeError } from './errors.ts'
import { show } from './schema.ts'

/** What a stream yields: Uint8Array, or libp2p's Uint8ArrayList (anything with `subarray()`). */
export type FrameChunk = Uint8Array | { subarray(): Uint8Array }

export interface ReadFramesOptions {
  /** Largest body accepted, in bytes (at most 2^31 - 1). */
  maxFrameSize: number
}

export const MAX_FRAME_PREFIX_BYTES = 5
const MAX_FRAME_SIZE = 2 ** 31 - 1

/** The varint length prefix of a `length`-byte frame. */
export function frameHeader(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_FRAME_SIZE) {
    throw new RangeError(`frame length must be 0..${MAX_FRAME_SIZE}, got ${length}`)
  }
  const out: number[] = []
  while (length >= 0x80) {
    out.push((length % 0x80) | 0x80)
    length = Math.floor(length / 0x80)
  }
  out.push(length)
  return Uint8Array.from(out)
}

/** Prefix and body in one buffer. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const header = frameHeader(body.length)
  const out = new Uint8Array(header.length + body.length)
  out.set(header)
  out.set(body, header.length)
  return out
}

/**
 * The frames of `source`, however its chunks are split. A frame that lies inside one chunk is
 * yielded as a view of it (no copy). Throws FrameTooLargeError, MalformedFrameError, or
 * TruncatedFrameError if the source ends inside a frame.
 */
export async function* readFrames(
  source: AsyncIterable<FrameChunk> | Iterable<FrameChunk>,
  options: ReadFramesOptions
): AsyncGenerator<Uint8Array, void, undefined> {
  const { maxFrameSize } = options
  if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0 || maxFrameSize > MAX_FRAME_SIZE) {
    throw new RangeError(`maxFrameSize must be 0..${MAX_FRAME_SIZE}, got ${maxFrameSize}`)
  }
  let length = 0
  let scale = 1
  let prefixBytes = 0
  let body: Uint8Array | undefined
  let filled = 0
  for await (const chunk of source) {
    const data = bytesOf(chunk)
    let at = 0
    while (at < data.length) {
      if (body !== undefined) {
        const n = Math.min(body.length - filled, data.length - at)
        body.set(data.subarray(at, at + n), filled)
        filled += n
        at += n
        if (filled === body.length) {
          yield body
          body = undefined
        }
        continue
      }
      const byte = data[at++]!
      prefixBytes++
      if (prefixBytes > 1 && byte === 0) throw new MalformedFrameError('frame length prefix is not minimal')
      length += (byte & 0x7f) * scale
      if (length > maxFrameSize) throw tooLarge(length, maxFrameSize)
      if (byte & 0x80) {
        scale *= 0x80
        if (prefixBytes === MAX_FRAME_PREFIX_BYTES) {
          throw new MalformedFrameError(`frame length prefix is longer than ${MAX_FRAME_PREFIX_BYTES} bytes`)
        }
        // The prefix goes on, so its value reaches at least `scale` more.
        if (length + scale > maxFrameSize) throw tooLarge(length + scale, maxFrameSize)
        continue
      }
      if (data.length - at >= length) {
        yield data.subarray(at, at + length)
        at += length
      } else {
        body = new Uint8Array(length)
        filled = 0
      }
      length = 0
      scale = 1
      prefixBytes = 0
    }
  }
  if (body !== undefined)
    throw new TruncatedFrameError(`stream ended ${body.length - filled} bytes into a frame body`)
  if (prefixBytes > 0) throw new TruncatedFrameError('stream ended inside a frame length prefix')
}

function tooLarge(atLeast: number, maxFrameSize: number): FrameTooLargeError {
  return new FrameTooLargeError(
    `frame length is at least ${atLeast} bytes, over maxFrameSize ${maxFrameSize}`
  )
}

function bytesOf(chunk: FrameChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (typeof (chunk as { subarray?: unknown })?.subarray === 'function') {
    const bytes = chunk.subarray()
    if (bytes instanceof Uint8Array) return bytes
  }
  throw new WrongTypeError(`stream chunk must be a Uint8Array or a Uint8ArrayList, got ${show(chunk)}`)
}
