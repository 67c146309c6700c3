import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DecodeError,
  encodeFrame,
  type FrameChunk,
  FrameOverrunError,
  FrameReader,
  FrameTooLargeError,
  frameHeader,
  MalformedFrameError,
  readFrames,
  TruncatedFrameError
} from '@defs/segment'
import { concat } from './helpers/bytes.ts'
import { type Random, seeded } from './helpers/random.ts'

const r = seeded('framing')

async function collect(source: Iterable<FrameChunk> | AsyncIterable<FrameChunk>, maxFrameSize: number) {
  const frames: Uint8Array[] = []
  for await (const f of readFrames(source, { maxFrameSize })) frames.push(f.slice())
  return frames
}

/** Cuts `bytes` at random points, empty chunks included. */
function split(rand: Random, bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let at = 0
  while (at < bytes.length) {
    const n = rand.pick([0, 1, 1, 2, 3, rand.int(1, 64), rand.int(1, 5000)])
    chunks.push(bytes.subarray(at, at + n))
    at += n
  }
  return chunks
}

/** A source that yields `chunks` and then fails if the reader asks for more. */
function* thenStop(...chunks: Uint8Array[]): Generator<Uint8Array> {
  yield* chunks
  throw new Error('the reader asked for bytes after the prefix had to be refused')
}

describe('frame prefix', () => {
  it('is a minimal unsigned LEB128 varint', () => {
    const hex = (n: number) => Array.from(frameHeader(n), (b) => b.toString(16).padStart(2, '0')).join('')
    assert.equal(hex(0), '00')
    assert.equal(hex(127), '7f')
    assert.equal(hex(128), '8001')
    assert.equal(hex(300), 'ac02')
    assert.equal(hex(2 ** 31 - 1), 'ffffffff07')
    assert.throws(() => frameHeader(2 ** 31), RangeError)
  })
})

describe('readFrames', () => {
  it('yields the frames however the stream is split (property)', async () => {
    for (let run = 0; run < 150; run++) {
      const frames = Array.from({ length: r.int(0, 12) }, () =>
        r.bytes(r.pick([0, 1, 127, 128, r.int(0, 3000), r.int(16_000, 70_000)]))
      )
      const chunks = split(r, concat(...frames.map(encodeFrame)))
      assert.deepEqual(await collect(chunks, 70_000), frames)
    }
  })

  it('accepts Uint8ArrayList-like chunks (anything with subarray())', async () => {
    const body = r.bytes(1000)
    const wire = encodeFrame(body)
    const list = (b: Uint8Array) => ({ subarray: () => b.slice() })
    assert.deepEqual(await collect([list(wire.subarray(0, 10)), list(wire.subarray(10))], 1000), [body])
  })

  it('yields a frame inside one chunk as a view, without copying', async () => {
    const wire = concat(encodeFrame(Uint8Array.of(1, 2, 3)), encodeFrame(Uint8Array.of(4)))
    const frames: Uint8Array[] = []
    for await (const f of readFrames([wire], { maxFrameSize: 10 })) frames.push(f)
    assert.equal(frames[0]!.buffer, wire.buffer)
    assert.deepEqual(frames, [Uint8Array.of(1, 2, 3), Uint8Array.of(4)])
  })

  it('refuses a 2 GiB prefix at once, before reading on', async () => {
    const twoGiB = frameHeader(2 ** 31 - 1)
    await assert.rejects(collect(thenStop(twoGiB), 1024 * 1024), FrameTooLargeError)
    // One byte at a time: refused as soon as the value can only grow past the cap.
    const bytes = [...twoGiB].map((b) => Uint8Array.of(b))
    await assert.rejects(collect(thenStop(...bytes.slice(0, 3)), 1024 * 1024), FrameTooLargeError)
  })

  it('refuses a frame one byte over maxFrameSize, accepts one at it', async () => {
    await assert.rejects(collect(thenStop(frameHeader(1025)), 1024), FrameTooLargeError)
    assert.deepEqual(await collect([encodeFrame(new Uint8Array(1024))], 1024), [new Uint8Array(1024)])
  })

  it('refuses a prefix over 5 bytes and a non-minimal prefix', async () => {
    const six = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)
    await assert.rejects(collect(thenStop(six.subarray(0, 5)), 2 ** 31 - 1), MalformedFrameError)
    await assert.rejects(collect([Uint8Array.of(0x80, 0x00)], 1000), MalformedFrameError)
    await assert.rejects(collect([Uint8Array.of(0x81, 0x00)], 1000), MalformedFrameError)
  })

  it('refuses a stream that ends inside a prefix or a body', async () => {
    await assert.rejects(collect([Uint8Array.of(0x80)], 1000), TruncatedFrameError)
    await assert.rejects(collect([encodeFrame(new Uint8Array(10)).subarray(0, 5)], 1000), TruncatedFrameError)
    assert.deepEqual(await collect([], 10), [])
  })

  it('refuses a chunk that is not bytes', async () => {
    await assert.rejects(collect(['abc' as unknown as Uint8Array], 10), DecodeError)
  })

  it('gives only frames or a DecodeError on random streams (fuzz)', async () => {
    for (let run = 0; run < 1000; run++) {
      const bytes = r.bytes(r.int(0, 40))
      const max = r.int(0, 300)
      try {
        const frames = await collect(split(r, bytes), max)
        const rebuilt = concat(...frames.map(encodeFrame))
        assert.deepEqual(rebuilt, bytes)
      } catch (err) {
        assert.ok(err instanceof DecodeError, `got ${(err as Error).name}: ${(err as Error).message}`)
      }
    }
  })
})

/** `body` cut into frames of at most `frameSize` bytes, as a sender of a shard does. */
function framed(body: Uint8Array, frameSize: number): Uint8Array {
  const frames: Uint8Array[] = []
  for (let at = 0; at < body.length; at += frameSize)
    frames.push(encodeFrame(body.subarray(at, at + frameSize)))
  return concat(...frames)
}

async function bodyOf(reader: FrameReader, length: number): Promise<Uint8Array[]> {
  const pieces: Uint8Array[] = []
  for await (const piece of reader.bodies(length)) pieces.push(piece)
  return pieces
}

describe('FrameReader.bodies', () => {
  it('gives the body over any framing and chunking, then the next frame intact (property)', async () => {
    for (let run = 0; run < 150; run++) {
      const body = r.bytes(r.pick([0, 1, r.int(2, 300), r.int(1000, 20_000)]))
      const trailer = r.bytes(r.int(0, 50))
      const wire = concat(encodeFrame(Uint8Array.of(9)), framed(body, r.int(1, 4000)), encodeFrame(trailer))
      const reader = new FrameReader(split(r, wire), { maxFrameSize: 4000 })
      assert.deepEqual(await reader.next(), Uint8Array.of(9))
      assert.deepEqual(concat(...(await bodyOf(reader, body.length))), body)
      assert.deepEqual(await reader.next(), trailer)
      assert.equal(await reader.next(), undefined)
    }
  })

  it('yields views of the chunks, not copies', async () => {
    const wire = framed(r.bytes(3000), 1000)
    const pieces = await bodyOf(new FrameReader([wire], { maxFrameSize: 1000 }), 3000)
    assert.equal(pieces.length, 3)
    for (const piece of pieces) assert.equal(piece.buffer, wire.buffer)
  })

  it('refuses a frame that runs past the body, and a stream that ends inside it', async () => {
    const over = new FrameReader([framed(r.bytes(100), 60)], { maxFrameSize: 100 })
    await assert.rejects(bodyOf(over, 90), FrameOverrunError)
    const short = new FrameReader([framed(r.bytes(100), 60)], { maxFrameSize: 100 })
    await assert.rejects(bodyOf(short, 101), TruncatedFrameError)
    const cut = new FrameReader([framed(r.bytes(100), 60).subarray(0, 70)], { maxFrameSize: 100 })
    await assert.rejects(bodyOf(cut, 100), TruncatedFrameError)
  })

  it('reads a Uint8ArrayList-like chunk buffer by buffer, without joining it', async () => {
    const body = r.bytes(5000)
    const wire = framed(body, 2000)
    const buffers = [wire.subarray(0, 7), wire.subarray(7, 3000), wire.subarray(3000)]
    const list = {
      subarray: () => assert.fail('the list was joined'),
      [Symbol.iterator]: () => buffers[Symbol.iterator]()
    }
    const first = Uint8Array.of(5, 6)
    const reader = new FrameReader([encodeFrame(first), list], { maxFrameSize: 2000 })
    assert.deepEqual(await reader.next(), first)
    const pieces = await bodyOf(reader, body.length)
    assert.deepEqual(concat(...pieces), body)
    for (const piece of pieces) assert.equal(piece.buffer, wire.buffer)
  })

  it('is unusable after a caller leaves a body half read', async () => {
    const reader = new FrameReader([framed(r.bytes(100), 60), encodeFrame(Uint8Array.of(1))], {
      maxFrameSize: 100
    })
    for await (const _piece of reader.bodies(100)) break
    await assert.rejects(reader.next(), MalformedFrameError)
  })
})
