// The slice pipeline of @defs/node without the network, beside the sum of its stages measured
// alone. Seal: read a temp file (in the page cache) -> encrypt -> hash -> encode, shards left in
// memory; open: shards received into memory (a copy, as from a socket) -> verify ids ->
// reconstruct with 2 shards lost -> decrypt, plaintext left in memory. The stage rows run one
// slice on the calling thread; the sum is 1 / sum(1 / GB/s), what one core would do with no
// overlap. The pipeline rows move the whole file through 1 and 2 worker threads.
// GB/s is plaintext bytes per wall second; cpu_gbps is plaintext bytes per CPU second of all
// threads, which moves less when other processes share the cores.
// `npm run bench -- pipeline [--json] [--quick] [--size=<MiB>] [--buffer=<MiB>]`
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateFileKey, sha256Sync } from '@defs/crypto'
import { ReedSolomon } from '@defs/erasure'
import {
  BufferPool,
  type FetchedSlice,
  openSlice,
  openSlices,
  planLayout,
  readSlices,
  type SealedSlice,
  SlicePool,
  sealSlice,
  sealSlices,
  type TransferOptions
} from '../../packages/node/src/pipeline/index.ts'
import { decryptFrom, encryptInto } from '../../packages/node/src/pipeline/slice-cipher.ts'
import { measure } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

const MiB = 1024 * 1024
/** Shards lost per slice in the open direction (data shards, so reconstruction does work). */
const LOST = [0, 5]
/** Distinct sealed slices the open source cycles through (shards of 1 GiB need not all be kept). */
const KEPT = 6

const argValue = (args: string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

/** measure() plus CPU time of every thread of the process over all calls. */
async function timed(fn: () => unknown, bytes: number, heavy: boolean) {
  let calls = 0
  let cpu = 0
  const m = await measure(
    async () => {
      const start = process.cpuUsage()
      await fn()
      const used = process.cpuUsage(start)
      cpu += (used.user + used.system) / 1e6
      calls++
    },
    heavy ? { bytes, warmup: 1, samples: 3, minSampleMs: 0 } : { bytes }
  )
  return { gbps: m.gbps, cpuGbps: (bytes * calls) / cpu / 1e9 }
}

async function makeFile(path: string, size: number): Promise<void> {
  const file = await open(path, 'w')
  try {
    for (let at = 0; at < size; at += 16 * MiB) await file.write(randomBytes(Math.min(16 * MiB, size - at)))
  } finally {
    await file.close()
  }
}

async function readBack(path: string, at: number, length: number): Promise<Uint8Array> {
  const file = await open(path, 'r')
  try {
    const out = new Uint8Array(length)
    await file.read(out, 0, length, at)
    return out
  } finally {
    await file.close()
  }
}

function fetched(s: SealedSlice, shards: (Uint8Array | null)[]): FetchedSlice {
  const { sliceIndex, nonce, cipherLength, plainLength, ids } = s
  return { sliceIndex, nonce, cipherLength, plainLength, ids, shards }
}

/** Shards of `s` with LOST missing, each copied into a buffer of its own as if just received; buffers come from `buffers`. */
function receive(s: SealedSlice, buffers: BufferPool): (Uint8Array | null)[] {
  return s.shards.map((shard, i) => {
    if (LOST.includes(i)) return null
    const copy = new Uint8Array(buffers.take(s.shardSize))
    copy.set(shard)
    return copy
  })
}

export async function run({ json, args }: SuiteOptions): Promise<void> {
  const report = new Report('pipeline', json)
  const size = Number(argValue(args, 'size') ?? (args.includes('--quick') ? 256 : 1024)) * MiB
  const bufferSize = Number(argValue(args, 'buffer') ?? 64) * MiB
  const k = 10
  const m = 4
  const layout = planLayout({
    size,
    mode: 'rs-proportion',
    dataShards: k,
    parityShards: m,
    minSliceSize: 1 * MiB,
    maxSliceSize: 64 * MiB,
    shardSize: 1 * MiB,
    bufferSize,
    workers: 2
  })
  const sliceSize = layout.sliceSize
  const path = join(tmpdir(), `defs-bench-pipeline-${process.pid}.bin`)
  const ctx = { fileKey: generateFileKey(), fileId: randomBytes(16), version: 1 }
  report.note(
    `${size / MiB} MiB temp file ${path} (page cache), rs-proportion ${k}+${m}, ${(sliceSize / MiB).toFixed(2)} MiB slices ` +
      `(bufferSize ${bufferSize / MiB} MiB), open with shards ${LOST.join(', ')} lost; ${cpus().length} cores, ` +
      `load average ${loadavg()[0]!.toFixed(1)} at start: other processes share the cores, so wall-clock GB/s is low and noisy`
  )
  await makeFile(path, size)
  const pools = [
    new SlicePool({ workers: 1, spareBytes: bufferSize }),
    new SlicePool({ workers: 2, spareBytes: bufferSize })
  ]
  const transfer = (pool: SlicePool): TransferOptions => ({ pool, layout, ...ctx, bufferSize })
  const columns = ['dir', 'op', 'workers', 'slice', 'gbps', 'cpu_gbps']
  const row = (dir: string, op: string, workers: number, r: { gbps: number; cpuGbps?: number }): void =>
    report.add({
      dir,
      op,
      workers,
      slice: `${(sliceSize / MiB).toFixed(2)} MiB`,
      gbps: Math.round(r.gbps * 100) / 100,
      ...(r.cpuGbps === undefined ? {} : { cpu_gbps: Math.round(r.cpuGbps * 100) / 100 })
    })
  const sum = (rates: number[]): number => 1 / rates.reduce((a, r) => a + 1 / r, 0)

  try {
    // Verify first: the first slices through the 2-worker pool, 2 shards lost, back to the file's bytes.
    const kept: SealedSlice[] = []
    for await (const s of sealSlices(path, transfer(pools[1]!))) {
      kept.push(s)
      if (kept.length === KEPT) break
    }
    const check = kept.map((s) => fetched(s, receive(s, new BufferPool(0))))
    let at = 0
    for await (const o of openSlices(check, transfer(pools[1]!))) {
      assert.deepEqual(
        o.plain,
        await readBack(path, at, o.plain.length),
        `slice ${o.sliceIndex} did not round-trip`
      )
      at += o.plain.length
    }

    // Seal: the stages alone, one slice on this thread.
    const plain = await readBack(path, 0, sliceSize)
    const shardSize = Math.ceil((sliceSize + 16) / k)
    const flat = new Uint8Array((k + m) * shardSize)
    const shards = Array.from({ length: k + m }, (_, i) => flat.subarray(i * shardSize, (i + 1) * shardSize))
    const key = { key: randomBytes(32), nonce: randomBytes(12), aad: randomBytes(40) }
    const rs = await ReedSolomon.create({ dataShards: k, parityShards: m })
    const buffers = new BufferPool(bufferSize)
    const read = await timed(
      async () => {
        for await (const s of readSlices(path, sliceSize, { buffers })) buffers.give(s.buffer as ArrayBuffer)
      },
      size,
      true
    )
    const encrypt = await timed(() => encryptInto(key, plain, flat), sliceSize, false)
    const hash = await timed(() => shards.map((s) => sha256Sync(s)), sliceSize, false)
    const encode = await timed(() => rs.encode(shards), sliceSize, false)
    row('seal', 'read', 0, read)
    row('seal', 'encrypt', 0, encrypt)
    row('seal', `hash ${k + m} shards`, 0, hash)
    row('seal', 'encode', 0, encode)
    row('seal', 'sum of stages', 0, { gbps: sum([read.gbps, encrypt.gbps, hash.gbps, encode.gbps]) })
    const params = { ...ctx, sliceIndex: 0, dataShards: k, parityShards: m }
    // With the shard memory recycled, as the pipeline does.
    const shardMemory = new ArrayBuffer(flat.length)
    const sealOne = await timed(() => sealSlice(plain, params, shardMemory), sliceSize, false)
    row('seal', 'sealSlice, this thread (no read)', 0, sealOne)
    for (const pool of pools) {
      const r = await timed(
        async () => {
          for await (const s of sealSlices(path, transfer(pool))) s.release()
        },
        size,
        true
      )
      row('seal', 'seal pipeline', pool.size, r)
    }

    // Open: the stages alone on one slice, then the pipeline over as many slices as the file has.
    const sealed = await sealSlice(plain, params)
    const one = fetched(sealed, receive(sealed, new BufferPool(0)))
    const openParams = {
      ...params,
      nonce: sealed.nonce,
      cipherLength: sealed.cipherLength,
      plainLength: sliceSize
    }
    const target = new Uint8Array(sliceSize)
    const recv = await timed(
      () => {
        for (const s of receive(sealed, buffers)) if (s !== null) buffers.give(s.buffer as ArrayBuffer)
      },
      sliceSize,
      false
    )
    const present = one.shards.filter((s): s is Uint8Array => s !== null).slice(0, k)
    const verify = await timed(() => present.map((s) => sha256Sync(s)), sliceSize, false)
    const rebuild = await timed(() => rs.reconstructData([...one.shards]), sliceSize, false)
    encryptInto(key, plain, flat) // a valid ciphertext in the data shards for the decrypt stage
    const decrypt = await timed(
      () => decryptFrom(key, shards.slice(0, k), sliceSize, target),
      sliceSize,
      false
    )
    row('open', 'receive (copy in)', 0, recv)
    row('open', `verify ${k} ids`, 0, verify)
    row('open', `reconstruct ${LOST.length} lost`, 0, rebuild)
    row('open', 'decrypt', 0, decrypt)
    row('open', 'sum of stages', 0, { gbps: sum([recv.gbps, verify.gbps, rebuild.gbps, decrypt.gbps]) })
    const openOne = await timed(
      () => openSlice([...one.shards], { ...openParams, ids: sealed.ids }, target.buffer),
      sliceSize,
      false
    )
    row('open', 'openSlice, this thread (no receive)', 0, openOne)
    const slices = Math.ceil(size / sliceSize)
    let openBytes = 0
    for (let i = 0; i < slices; i++) openBytes += kept[i % KEPT]!.plainLength
    for (const pool of pools) {
      const t = transfer(pool)
      const source = function* (): Generator<FetchedSlice> {
        for (let i = 0; i < slices; i++) {
          const s = kept[i % KEPT]!
          yield fetched(s, receive(s, pool.buffers))
        }
      }
      const r = await timed(
        async () => {
          for await (const o of openSlices(source(), t)) o.release()
        },
        openBytes,
        true
      )
      row('open', 'open pipeline', pool.size, r)
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()))
    await rm(path, { force: true })
  }
  report.printTable(columns)
  report.note(`load average ${loadavg()[0]!.toFixed(1)} at the end`)
}
