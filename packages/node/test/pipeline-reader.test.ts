import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { BufferPool, cutSlices, type SliceSource } from '../src/pipeline/index.ts'
import { random, randomBytes } from './pipeline-fixtures.ts'

const S = 4096

async function collect(source: SliceSource, sliceSize = S, pool?: BufferPool): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const s of cutSlices(source, sliceSize, pool ? { buffers: pool } : {})) out.push(s.slice())
  return out
}

/** Chunks of uneven sizes (1, 7, 1000, ...), so slices straddle chunk boundaries. */
function* uneven(bytes: Uint8Array): Generator<Uint8Array> {
  const sizes = [1, 7, 1000, 4095, 4097, 333]
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.min(bytes.length - at, sizes[i % sizes.length]!)
    yield bytes.subarray(at, at + n)
    at += n
  }
}

function webStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const chunks = [...uneven(bytes)]
  return new ReadableStream({
    pull(controller) {
      const c = chunks.shift()
      if (c === undefined) controller.close()
      else controller.enqueue(c.slice())
    }
  })
}

describe('cutSlices', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-pipeline-reader-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  for (const size of [0, 1, S - 1, S, S + 1, 3 * S + 17]) {
    it(`cuts ${size} bytes into whole slices from a path, a ReadableStream, an async iterable and a Node Readable`, async () => {
      const bytes = randomBytes(random(size), size)
      const path = join(dir, `f${size}`)
      await writeFile(path, bytes)
      const expected = Math.max(1, Math.ceil(size / S))
      const sources: [string, () => SliceSource][] = [
        ['path', () => path],
        ['ReadableStream', () => webStream(bytes)],
        [
          'async iterable',
          () =>
            (async function* () {
              yield* uneven(bytes)
            })()
        ],
        ['Node Readable', () => Readable.from(uneven(bytes))]
      ]
      for (const [name, source] of sources) {
        const slices = await collect(source())
        assert.equal(slices.length, expected, `${name}: slice count`)
        for (const s of slices.slice(0, -1)) assert.equal(s.length, S, `${name}: full slices`)
        assert.deepEqual(Buffer.concat(slices), Buffer.from(bytes), `${name}: bytes`)
      }
    })
  }

  it('yields one empty slice for an empty source', async () => {
    const slices = await collect((async function* () {})())
    assert.equal(slices.length, 1)
    assert.equal(slices[0]!.length, 0)
  })

  it('takes slice buffers from the pool it is given', async () => {
    const pool = new BufferPool(4 * S)
    const mine = pool.take(S)
    pool.give(mine)
    const seen: ArrayBufferLike[] = []
    for await (const s of cutSlices([new Uint8Array(2 * S)], S, { buffers: pool })) seen.push(s.buffer)
    assert.equal(seen[0], mine)
    assert.notEqual(seen[1], mine)
    assert.equal(pool.size, 0)
  })

  it('names a bad slice size and a chunk that is not bytes', async () => {
    await assert.rejects(collect([new Uint8Array(1)], 0), /sliceSize must be a positive integer, got 0/)
    await assert.rejects(
      collect(['text' as unknown as Uint8Array]),
      /source chunks must be Uint8Arrays, got string/
    )
  })

  it('reports a missing file as the fs error', async () => {
    await assert.rejects(collect(join(dir, 'nope')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT')
  })
})

describe('BufferPool', () => {
  it('keeps buffers of sizes asked for, up to its byte limit, and frees the rest at once', () => {
    const pool = new BufferPool(100)
    const unwanted = new ArrayBuffer(60)
    pool.give(unwanted)
    assert.equal(pool.size, 0)
    assert.equal(unwanted.byteLength, 0, 'a size never asked for is freed (detached)')
    const a = pool.take(60)
    pool.give(a)
    const over = new ArrayBuffer(60)
    pool.give(over)
    assert.equal(over.byteLength, 0, 'over the limit: freed')
    pool.give(a) // already kept
    assert.equal(pool.size, 60)
    assert.equal(pool.reuse(50), undefined)
    assert.equal(pool.take(60), a)
    assert.equal(pool.size, 0)
    assert.equal(pool.take(60).byteLength, 60)
  })
})
