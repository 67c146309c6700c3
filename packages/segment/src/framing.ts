// Length-prefixed frames for streams: an unsigned LEB128 varint (at most 5 bytes, minimal) then
// the body. The prefix is checked against the protocol's maxFrameSize byte by byte, so a 2 GiB
// or endless prefix fails at once, and a body is allocated only after its length passed the cap.
import {
  FrameOverrunError,
  FrameTooLargeError,
  MalformedFrameError,
  TruncatedFrameError,
  WrongTypeError
} from './errors.ts'
import { show } from './schema.ts'

/**
 * What a stream yields: Uint8Array, or libp2p's Uint8ArrayList (anything with `subarray()`; read
 * buffer by buffer when it is also iterable).
 */
export type FrameChunk = Uint8Array | { subarray(): Uint8Array; [Symbol.iterator]?(): Iterator<unknown> }

export interface ReadFramesOptions {
  /** Largest body accepted, in bytes (at most 2^31 - 1). */
  maxFrameSize: number
}

export const MAX_FRAME_PREFIX_BYTES = 5
const EMPTY = new Uint8Array(0)
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
  const reader = new FrameReader(source, options)
  try {
    for (let frame = await reader.next(); frame !== undefined; frame = await reader.next()) yield frame
  } finally {
    await reader.close()
  }
}

/**
 * Pulls frames from `source` one at a time: whole (`next()`), or as the pieces of a body the
 * sender cut into frames (`bodies(length)`), which are views of the chunks as they arrived, so a
 * large body is never copied or allocated twice on its way to disk.
 */
export class FrameReader {
  readonly #source: AsyncIterator<FrameChunk> | Iterator<FrameChunk>
  readonly #maxFrameSize: number
  #chunk: Uint8Array = EMPTY
  #at = 0
  #ended = false
  /** The rest of a Uint8ArrayList chunk's buffers, read one by one rather than joined. */
  #queued: Iterator<Uint8Array> | undefined
  /** Set when a caller left `bodies()` in the middle of a frame: what follows is not a prefix. */
  #lost = false

  constructor(source: AsyncIterable<FrameChunk> | Iterable<FrameChunk>, options: ReadFramesOptions) {
    const { maxFrameSize } = options
    if (!Number.isSafeInteger(maxFrameSize) || maxFrameSize < 0 || maxFrameSize > MAX_FRAME_SIZE) {
      throw new RangeError(`maxFrameSize must be 0..${MAX_FRAME_SIZE}, got ${maxFrameSize}`)
    }
    this.#maxFrameSize = maxFrameSize
    this.#source = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  }

  /** The next frame, or undefined when the source ended cleanly between frames. */
  async next(): Promise<Uint8Array | undefined> {
    const length = await this.#prefix()
    if (length === undefined) return undefined
    if (length === 0) return this.#chunk.subarray(this.#at, this.#at)
    if (!(await this.#fill())) throw truncated(length)
    if (this.#chunk.length - this.#at >= length) return this.#take(length)
    const body = new Uint8Array(length)
    for (let filled = 0; filled < length; ) {
      if (!(await this.#fill())) throw truncated(length - filled)
      const piece = this.#take(Math.min(length - filled, this.#chunk.length - this.#at))
      body.set(piece, filled)
      filled += piece.length
    }
    return body
  }

  /**
   * The next `length` bytes of frame bodies, over as many frames as the sender cut them into, as
   * views of the source's chunks. FrameOverrunError if a frame runs past `length`,
   * TruncatedFrameError if the source ends first. Leaving early makes the reader unusable.
   */
  async *bodies(length: number): AsyncGenerator<Uint8Array, void, undefined> {
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new RangeError(`length must be a non-negative integer, got ${length}`)
    }
    let left = length
    let inFrame = 0
    try {
      while (left > 0) {
        if (inFrame === 0) {
          const frame = await this.#prefix()
          if (frame === undefined) {
            throw new TruncatedFrameError(`stream ended ${left} bytes short of a ${length}-byte body`)
          }
          if (frame > left) {
            throw new FrameOverrunError(
              `a frame of ${frame} bytes runs past the ${left} bytes left of a ${length}-byte body`
            )
          }
          inFrame = frame
          continue
        }
        if (!(await this.#fill())) throw truncated(inFrame)
        const piece = this.#take(Math.min(inFrame, this.#chunk.length - this.#at))
        inFrame -= piece.length
        left -= piece.length
        yield piece
      }
    } finally {
      if (left > 0 || inFrame > 0) this.#lost = true
    }
  }

  /** Stop reading: tells the source it may release what it holds. */
  async close(): Promise<void> {
    this.#ended = true
    await this.#source.return?.()
  }

  /** The length of the next frame, or undefined when the source ended before its first byte. */
  async #prefix(): Promise<number | undefined> {
    if (this.#lost) throw new MalformedFrameError('a body was left unread: the frame boundaries are lost')
    let length = 0
    let scale = 1
    for (let prefixBytes = 1; ; prefixBytes++) {
      if (!(await this.#fill())) {
        if (prefixBytes === 1) return undefined
        throw new TruncatedFrameError('stream ended inside a frame length prefix')
      }
      const byte = this.#chunk[this.#at++]!
      if (prefixBytes > 1 && byte === 0) throw new MalformedFrameError('frame length prefix is not minimal')
      length += (byte & 0x7f) * scale
      if (length > this.#maxFrameSize) throw tooLarge(length, this.#maxFrameSize)
      if ((byte & 0x80) === 0) return length
      scale *= 0x80
      if (prefixBytes === MAX_FRAME_PREFIX_BYTES) {
        throw new MalformedFrameError(`frame length prefix is longer than ${MAX_FRAME_PREFIX_BYTES} bytes`)
      }
      // The prefix goes on, so its value reaches at least `scale` more.
      if (length + scale > this.#maxFrameSize) throw tooLarge(length + scale, this.#maxFrameSize)
    }
  }

  /** True when the current chunk has a byte left, pulling chunks as needed; false at the end. */
  async #fill(): Promise<boolean> {
    while (this.#at >= this.#chunk.length) {
      const queued = this.#queued?.next()
      if (queued !== undefined && queued.done !== true) {
        this.#chunk = queued.value
        this.#at = 0
        continue
      }
      this.#queued = undefined
      if (this.#ended) return false
      const next = await this.#source.next()
      if (next.done === true) {
        this.#ended = true
        return false
      }
      const pieces = piecesOf(next.value)
      if (pieces instanceof Uint8Array) {
        this.#chunk = pieces
      } else {
        this.#queued = pieces
        this.#chunk = EMPTY
      }
      this.#at = 0
    }
    return true
  }

  #take(n: number): Uint8Array {
    const piece = this.#chunk.subarray(this.#at, this.#at + n)
    this.#at += n
    return piece
  }
}

function truncated(missing: number): TruncatedFrameError {
  return new TruncatedFrameError(`stream ended ${missing} bytes into a frame body`)
}

function tooLarge(atLeast: number, maxFrameSize: number): FrameTooLargeError {
  return new FrameTooLargeError(
    `frame length is at least ${atLeast} bytes, over maxFrameSize ${maxFrameSize}`
  )
}

/**
 * A chunk's bytes: a Uint8Array as is; a Uint8ArrayList as an iterator over its buffers (joining
 * them, as its `subarray()` does, would copy every byte once more).
 */
function piecesOf(chunk: FrameChunk): Uint8Array | Iterator<Uint8Array> {
  if (chunk instanceof Uint8Array) return chunk
  const list = chunk as { subarray?: unknown; [Symbol.iterator]?: () => Iterator<unknown> }
  const iterate = list?.[Symbol.iterator]
  if (typeof iterate === 'function') return checkedPieces(iterate.call(list))
  if (typeof list?.subarray === 'function') {
    const bytes = chunk.subarray()
    if (bytes instanceof Uint8Array) return bytes
  }
  throw notBytes(chunk)
}

function* checkedPieces(pieces: Iterator<unknown>): Generator<Uint8Array> {
  for (let next = pieces.next(); next.done !== true; next = pieces.next()) {
    if (!(next.value instanceof Uint8Array)) throw notBytes(next.value)
    yield next.value
  }
}

function notBytes(chunk: unknown): WrongTypeError {
  return new WrongTypeError(`stream chunk must be a Uint8Array or a Uint8ArrayList, got ${show(chunk)}`)
}
