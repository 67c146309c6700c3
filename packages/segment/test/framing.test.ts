import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DecodeError,
  encodeFrame,
  type FrameChunk,
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
