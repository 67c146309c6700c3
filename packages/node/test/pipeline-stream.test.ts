// The slice pool and the ordered streams, on real worker threads and real files.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { AuthenticationError } from '@defs/crypto'
import { TooFewShardsError } from '@defs/erasure'
import {
  type FetchedSlice,
  type Layout,
  openSlices,
  PoolClosedError,
  type SealedSlice,
  type SealedSliceHandle,
  ShardIdMismatchError,
  SlicePool,
  sealSlices,
  sliceCost,
  type TransferOptions,
  workerExecArgv,
  writeSlices
} from '../src/pipeline/index.ts'
import { fileContext, lose, pick, random, randomBytes, randomInt } from './pipeline-fixtures.ts'

const KiB = 1024
const MiB = 1024 * KiB
const S = 64 * KiB

function rsLayout(k: number, m: number, sliceSize = S): Layout {
  return { mode: 'rs-proportion', sliceSize, dataShards: k, parityShards: m }
}

/** A sealed slice as a downloader would hand it over: shards at `lost` missing. */
function fetched(s: SealedSlice, lost: number[] = []): FetchedSlice {
  const { sliceIndex, nonce, cipherLength, plainLength, ids } = s
  return { sliceIndex, nonce, cipherLength, plainLength, ids, shards: lose(s.shards, lost) }
}

async function sealAll(source: Parameters<typeof sealSlices>[0], t: TransferOptions): Promise<SealedSlice[]> {
  const out: SealedSlice[] = []
  for await (const s of sealSlices(source, t)) out.push(s)
  return out
}

describe('slice pipeline on worker threads', () => {
  let dir: string
  let pool: SlicePool
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-pipeline-'))
    pool = new SlicePool({ workers: 2 })
  })
  after(async () => {
    await pool.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('moves the slice to a worker (no copy) and gets its buffer back for reuse', async () => {
    const copy = randomBytes(random(1), 100_000)
    const plain = new Uint8Array(pool.buffers.take(100_000))
    plain.set(copy)
    const params = { ...fileContext(), sliceIndex: 0, dataShards: 4, parityShards: 2 }
    const sealed = await pool.seal(plain, params)
    assert.equal(plain.byteLength, 0, 'the plaintext buffer was transferred, not cloned')
    assert.equal(pool.buffers.size, 100_000, 'and came back to the pool')
    assert.equal(pool.buffers.take(100_000).byteLength, 100_000)
    const { nonce, cipherLength, ids } = sealed
    const opened = await pool.open(lose(sealed.shards, [1, 4]), {
      ...params,
      nonce,
      cipherLength,
      plainLength: 100_000,
      ids
    })
    assert.deepEqual(opened.plain, copy)
  })

  it('copies a shard that is a window into a larger buffer, and leaves that buffer alone', async () => {
    const params = { ...fileContext(), sliceIndex: 0, dataShards: 2, parityShards: 1 }
    const sealed = await pool.seal(randomBytes(random(7), 1000), params)
    const big = new Uint8Array(10_000)
    const windows = sealed.shards.map((s, i) => {
      big.set(s, 100 + i * 1000)
      return big.subarray(100 + i * 1000, 100 + i * 1000 + s.length)
    })
    const before = Buffer.from(big)
    const { nonce, cipherLength, ids } = sealed
    const opened = await pool.open(lose(windows, [0]), {
      ...params,
      nonce,
      cipherLength,
      plainLength: 1000,
      ids
    })
    assert.equal(opened.plain.length, 1000)
    assert.equal(big.byteLength, 10_000, 'the shared buffer was not detached')
    assert.deepEqual(Buffer.from(big), before)
  })

  for (const size of [0, 1, S - 1, S, S + 1, 2 * MiB + 5]) {
    it(`round-trips a ${size}-byte file through seal, loss of up to m shards per slice, open and write`, async () => {
      const next = random(size + 17)
      const k = randomInt(next, 1, 12)
      const m = randomInt(next, 1, 5)
      const bytes = randomBytes(next, size)
      const input = join(dir, `in-${size}`)
      const output = join(dir, `out-${size}`)
      await writeFile(input, bytes)
      const t: TransferOptions = { pool, layout: rsLayout(k, m), ...fileContext(), bufferSize: 1 * MiB }
      const sealed = await sealAll(input, t)
      assert.equal(sealed.length, Math.max(1, Math.ceil(size / S)))
      assert.deepEqual(
        sealed.map((s) => s.sliceIndex),
        sealed.map((_, i) => i)
      )
      const slices = sealed.map((s) => fetched(s, pick(next, k + m, randomInt(next, 0, m))))
      assert.equal(await writeSlices(openSlices(slices, t), output), size)
      assert.ok(Buffer.compare(await readFile(output), bytes) === 0, `${k}+${m}: bytes differ`)
    })
  }

  it('numbers slices from firstSlice, so a resumed upload seals under the right slice keys', async () => {
    const bytes = randomBytes(random(6), 2 * S)
    const t: TransferOptions = { pool, layout: rsLayout(2, 1), ...fileContext(), bufferSize: 1 * MiB }
    const sealed = await sealAll([bytes], { ...t, firstSlice: 5 })
    assert.deepEqual(
      sealed.map((s) => s.sliceIndex),
      [5, 6]
    )
    const sink = new PassThrough()
    const got: Buffer[] = []
    sink.on('data', (c: Buffer) => got.push(c))
    await writeSlices(
      openSlices(
        sealed.map((s) => fetched(s, [0])),
        t
      ),
      sink
    )
    assert.deepEqual(Buffer.concat(got), Buffer.from(bytes))
  })

  it('reads a web ReadableStream and writes a web WritableStream', async () => {
    const bytes = randomBytes(random(2), 5 * S + 99)
    const t: TransferOptions = { pool, layout: rsLayout(3, 2), ...fileContext(), bufferSize: 1 * MiB }
    const source = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    const sealed = await sealAll(source, t)
    const got: Uint8Array[] = []
    const sink = new WritableStream<Uint8Array>({ write: (c) => void got.push(c.slice()) })
    assert.equal(
      await writeSlices(
        openSlices(
          sealed.map((s) => fetched(s, [0])),
          t
        ),
        sink
      ),
      bytes.length
    )
    assert.deepEqual(Buffer.concat(got), Buffer.from(bytes))
  })

  it('reads a Node Readable and writes a Node Writable', async () => {
    const bytes = randomBytes(random(3), 3 * S + 1)
    const t: TransferOptions = { pool, layout: rsLayout(2, 1), ...fileContext(), bufferSize: 1 * MiB }
    const sealed = await sealAll(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), t)
    const sink = new PassThrough()
    const got: Buffer[] = []
    sink.on('data', (c: Buffer) => got.push(c))
    await writeSlices(
      openSlices(
        sealed.map((s) => fetched(s)),
        t
      ),
      sink
    )
    assert.deepEqual(Buffer.concat(got), Buffer.from(bytes))
  })

  it('carries errors back from the workers as their own classes', async () => {
    const t: TransferOptions = { pool, layout: rsLayout(4, 2), ...fileContext(), bufferSize: 1 * MiB }
    const fresh = async () => (await sealAll([randomBytes(random(4), S)], t))[0]!
    const drain = (slices: FetchedSlice[], extra: Partial<TransferOptions> = {}) =>
      writeSlices(openSlices(slices, { ...t, ...extra }), new PassThrough().resume())

    await assert.rejects(drain([fetched(await fresh(), [0, 1, 2])]), (e: Error) => {
      return e instanceof TooFewShardsError && /slice 0: 3 good shards of 4 needed/.test(e.message)
    })
    await assert.rejects(drain([fetched(await fresh())], { version: 9 }), AuthenticationError)

    const flipped = fetched(await fresh())
    flipped.shards[2]![5]! ^= 1
    const corrupt: [number, number[]][] = []
    const n = await writeSlices(
      openSlices([flipped], { ...t, onCorrupt: (i, s) => corrupt.push([i, s]) }),
      new PassThrough().resume()
    )
    assert.equal(n, S, 'the slice opened from the other shards')
    assert.deepEqual(corrupt, [[0, [2]]])

    const tooFew = fetched(await fresh(), [4, 5])
    tooFew.shards[2]![5]! ^= 1
    await assert.rejects(
      drain([tooFew]),
      (e: Error) => e instanceof ShardIdMismatchError && e.corrupt.join() === '2'
    )
  })

  it('hands slices out in order and reads no further ahead than bufferSize allows', async () => {
    const layout = rsLayout(2, 1, 16 * KiB)
    const budgetSlices = 3
    const t: TransferOptions = {
      pool,
      layout,
      ...fileContext(),
      bufferSize: budgetSlices * sliceCost(layout)
    }
    let pulled = 0
    let received = 0
    let maxAhead = 0
    async function* source() {
      for (let i = 0; i < 40; i++) {
        pulled++
        yield new Uint8Array(16 * KiB).fill(i)
      }
    }
    for await (const s of sealSlices(source(), t)) {
      assert.equal(s.sliceIndex, received)
      received++
      // Slices before this one are released; this one and those read ahead hold the budget.
      maxAhead = Math.max(maxAhead, pulled - (received - 1))
      await new Promise((r) => setTimeout(r, 2))
      s.release()
    }
    assert.equal(received, 40)
    assert.ok(maxAhead <= budgetSlices, `read ${maxAhead} slices ahead with room for ${budgetSlices}`)
  })

  it('stops reading when the consumer stops, and keeps the pool usable', async () => {
    const t: TransferOptions = {
      pool,
      layout: rsLayout(2, 1, 4 * KiB),
      ...fileContext(),
      bufferSize: 64 * KiB
    }
    let pulled = 0
    const source = (function* () {
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield new Uint8Array(4 * KiB)
      }
    })()
    for await (const s of sealSlices(source, t)) if (s.sliceIndex === 2) break
    assert.ok(pulled < 20, `pulled ${pulled} slices for 3`)
    assert.equal((await sealAll([new Uint8Array(10)], t)).length, 1)
  })

  it('stops with the abort reason when the signal fires', async () => {
    const controller = new AbortController()
    const t: TransferOptions = {
      pool,
      layout: rsLayout(2, 1, 4 * KiB),
      ...fileContext(),
      bufferSize: 64 * KiB,
      signal: controller.signal
    }
    const source = (function* () {
      for (;;) yield new Uint8Array(4 * KiB)
    })()
    let seen = 0
    await assert.rejects(
      (async () => {
        for await (const s of sealSlices(source, t)) {
          seen++
          if (s.sliceIndex === 3) controller.abort(new Error('user cancelled'))
        }
      })(),
      /user cancelled/
    )
    assert.equal(seen, 4)
  })

  it('keeps RSS flat: 256 MiB sealed, 2 shards per slice lost, opened, with bufferSize 32 MiB', async (ctx) => {
    const layout = rsLayout(10, 4, 4 * MiB)
    const t: TransferOptions = { pool, layout, ...fileContext(), bufferSize: 32 * MiB }
    await sealAll([new Uint8Array(1000)], t) // workers warm
    const block = randomBytes(random(5), 1 * MiB)
    const hashIn = createHash('sha256')
    const hashOut = createHash('sha256')
    async function* source() {
      for (let i = 0; i < 256; i++) {
        const chunk = block.slice()
        new DataView(chunk.buffer).setUint32(0, i)
        hashIn.update(chunk)
        yield chunk
      }
    }
    // As a download receives them: each shard into a buffer of its own (here a recycled one).
    const receive = (s: SealedSliceHandle): FetchedSlice => {
      const shards = lose(s.shards, [0, 11]).map((shard) => {
        if (shard === null) return null
        const copy = new Uint8Array(pool.buffers.take(shard.length))
        copy.set(shard)
        return copy
      })
      s.release()
      return { ...fetched(s), shards }
    }
    async function* download() {
      for await (const s of sealSlices(source(), t)) yield receive(s)
    }
    const before = process.memoryUsage().rss
    let peak = before
    let bytes = 0
    for await (const o of openSlices(download(), t)) {
      hashOut.update(o.plain)
      bytes += o.plain.length
      o.release()
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    assert.equal(bytes, 256 * MiB)
    assert.equal(hashOut.digest('hex'), hashIn.digest('hex'))
    const growth = (peak - before) / MiB
    // Two budgets of 32 MiB and the spare pool of 64 MiB bound it near 128 MiB; 256 MiB is the generous limit.
    ctx.diagnostic(`RSS grew ${growth.toFixed(0)} MiB`)
    assert.ok(growth < 256, `RSS grew ${growth.toFixed(0)} MiB moving 256 MiB`)
  })

  it('rejects pending and later jobs once closed', async () => {
    const own = new SlicePool({ workers: 1 })
    const params = { ...fileContext(), sliceIndex: 0, dataShards: 2, parityShards: 1 }
    const pending = assert.rejects(own.seal(new Uint8Array(4 * MiB), params), PoolClosedError)
    await own.close()
    await pending
    await assert.rejects(own.seal(new Uint8Array(1), params), (e: Error) => e.name === 'PoolClosedError')
  })
})

describe('workerExecArgv', () => {
  it('passes on the @defs/source condition and type stripping only', () => {
    assert.deepEqual(workerExecArgv(['--conditions=@defs/source', '--test', '--inspect']), [
      '--conditions=@defs/source'
    ])
    assert.deepEqual(workerExecArgv(['-C', '@defs/source', '--experimental-strip-types']), [
      '--conditions=@defs/source',
      '--experimental-strip-types'
    ])
    assert.deepEqual(workerExecArgv(['--conditions', 'browser']), [])
  })
})
