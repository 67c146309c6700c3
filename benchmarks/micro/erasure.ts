// Reed-Solomon side by side: @defs/erasure (WASM in place, WASM with plain arrays, TS fallback),
// @ronomon/reed-solomon (native addon), @digitaldefiance/reed-solomon-erasure.wasm, and a memcpy
// of the same bytes as the ceiling. GB/s = k x shardSize bytes per second, single core, median
// of several runs after warm-up. Every library's output is checked before it is timed: parity
// against the TS implementation (klauspost-compatible), and every reconstruction against the
// original data. `npm run bench -- erasure [--json] [--lib=a,b] [--size=65536]`
import { createRequire } from 'node:module'
import { ReedSolomon, type Shard } from '@defs/erasure'
import { measure } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

interface Shape {
  k: number
  m: number
  shardSize: number
}

/** One library on one shape: runners for encode and for reconstruct with the first `lost` data shards lost. */
interface Contender {
  encode: () => unknown
  /** Parity after one encode, to compare with the reference. */
  parity: () => Promise<Uint8Array[]> | Uint8Array[]
  reconstruct: (lost: number) => { run: () => unknown; result: () => Uint8Array[] }
}

type Library = { lib: string; make: (shape: Shape, data: Uint8Array[]) => Promise<Contender> }

const require = createRequire(import.meta.url)
const SHAPES: Shape[] = [
  { k: 10, m: 4, shardSize: 65536 },
  { k: 10, m: 4, shardSize: 1 << 20 },
  { k: 4, m: 2, shardSize: 65536 },
  { k: 4, m: 2, shardSize: 1 << 20 }
]
const LOSSES = [0, 2, 4]

function randomShards(count: number, size: number, seed: number): Uint8Array[] {
  let x = seed
  return Array.from({ length: count }, () => {
    const shard = new Uint8Array(size)
    const words = new Uint32Array(shard.buffer)
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      words[i] = x
    }
    return shard
  })
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), b) === 0

/** @defs/erasure with shards from allocShards (in place) or as plain Uint8Arrays (copied). */
function defs(backend: 'wasm' | 'ts', inPlace: boolean): Library['make'] {
  return async ({ k, m, shardSize }, data) => {
    const rs = await ReedSolomon.create({ dataShards: k, parityShards: m, backend })
    const shards: Uint8Array[] = inPlace ? rs.allocShards(shardSize) : [...data.map((d) => d.slice())]
    if (inPlace) for (let j = 0; j < k; j++) shards[j]!.set(data[j]!)
    else for (let p = 0; p < m; p++) shards.push(new Uint8Array(shardSize))
    return {
      encode: () => rs.encode(shards),
      parity: () => rs.encode(shards).slice(k),
      reconstruct: (lost) => {
        const work: Shard[] = [...shards]
        return {
          run: () => {
            for (let i = 0; i < lost; i++) work[i] = null
            rs.reconstruct(work)
          },
          result: () => work.slice(0, k) as Uint8Array[]
        }
      }
    }
  }
}

const ronomon: Library['make'] = async ({ k, m, shardSize }, data) => {
  const ReedSolomon = require('@ronomon/reed-solomon')
  const context = ReedSolomon.create(k, m)
  const buffer = Buffer.concat(data)
  const parity = Buffer.alloc(m * shardSize)
  const mask = (from: number, to: number, except = 0): number => {
    let bits = 0
    for (let i = from; i < to; i++) if (i >= except) bits |= 1 << i
    return bits
  }
  const run = (sources: number, targets: number): Promise<void> =>
    new Promise((resolve, reject) =>
      ReedSolomon.encode(
        context,
        sources,
        targets,
        buffer,
        0,
        buffer.length,
        parity,
        0,
        parity.length,
        (e: unknown) => (e ? reject(e) : resolve())
      )
    )
  const shard = (i: number): Uint8Array => buffer.subarray(i * shardSize, (i + 1) * shardSize)
  return {
    encode: () => run(mask(0, k), mask(k, k + m)),
    parity: async () => {
      await run(mask(0, k), mask(k, k + m))
      return Array.from({ length: m }, (_, p) => parity.subarray(p * shardSize, (p + 1) * shardSize))
    },
    reconstruct: (lost) => ({
      run: async () => {
        for (let i = 0; i < lost; i++) shard(i).fill(0)
        await run(mask(0, k + m, lost), mask(0, lost))
      },
      result: () => Array.from({ length: k }, (_, i) => shard(i))
    })
  }
}

const digitaldefiance: Library['make'] = async ({ k, m, shardSize }, data) => {
  const { ReedSolomonErasure } = require('@digitaldefiance/reed-solomon-erasure.wasm')
  const rs = ReedSolomonErasure.fromCurrentDirectorySync()
  const all = new Uint8Array((k + m) * shardSize)
  for (let j = 0; j < k; j++) all.set(data[j]!, j * shardSize)
  const shard = (i: number): Uint8Array => all.subarray(i * shardSize, (i + 1) * shardSize)
  const check = (result: number): void => {
    if (result !== ReedSolomonErasure.RESULT_OK)
      throw new Error(`reed-solomon-erasure.wasm returned ${result}`)
  }
  return {
    encode: () => check(rs.encode(all, k, m)),
    parity: () => {
      check(rs.encode(all, k, m))
      return Array.from({ length: m }, (_, p) => shard(k + p).slice())
    },
    reconstruct: (lost) => {
      const available = Array.from({ length: k + m }, (_, i) => i >= lost)
      return {
        run: () => {
          for (let i = 0; i < lost; i++) shard(i).fill(0)
          check(rs.reconstruct(all, k, m, available))
        },
        result: () => Array.from({ length: k }, (_, i) => shard(i))
      }
    }
  }
}

const LIBRARIES: Library[] = [
  { lib: '@defs/erasure wasm in place', make: defs('wasm', true) },
  { lib: '@defs/erasure wasm arrays', make: defs('wasm', false) },
  { lib: '@defs/erasure ts', make: defs('ts', false) },
  { lib: '@ronomon/reed-solomon', make: ronomon },
  { lib: '@digitaldefiance/reed-solomon-erasure.wasm', make: digitaldefiance }
]

export async function run(options: SuiteOptions): Promise<void> {
  const report = new Report('erasure', options.json)
  const only = options.args
    .find((a) => a.startsWith('--lib='))
    ?.slice(6)
    .split(',')
  const sizes = options.args
    .find((a) => a.startsWith('--size='))
    ?.slice(7)
    .split(',')
    .map(Number)
  const wanted = (name: string): boolean => only === undefined || only.some((o) => name.includes(o))
  const probe = await ReedSolomon.create({ dataShards: 10, parityShards: 4 })
  report.note(`@defs/erasure kernel: ${probe.kernel}; GB/s = k x shardSize / time, single core`)

  for (const shape of SHAPES) {
    const { k, m, shardSize } = shape
    if (sizes !== undefined && !sizes.includes(shardSize)) continue
    const data = randomShards(k, shardSize, 0x2545f491 ^ (k * 131 + shardSize))
    const reference = (await ReedSolomon.create({ dataShards: k, parityShards: m, backend: 'ts' }))
      .encode([...data.map((d) => d.slice()), ...new Array(m).fill(null)])
      .slice(k)
    const bytes = k * shardSize
    const row = (lib: string, op: string, lost: number, gbps: number): void =>
      report.add({ lib, op, k, m, shardSize, lost, gbps: Math.round(gbps * 100) / 100 })

    if (wanted('memcpy')) {
      const source = Buffer.concat(data)
      const target = new Uint8Array(source.length)
      row('memcpy (ceiling)', 'encode', 0, (await measure(() => target.set(source), { bytes })).gbps)
    }
    for (const library of LIBRARIES) {
      if (!wanted(library.lib)) continue
      let contender: Contender
      try {
        contender = await library.make(shape, data)
      } catch (err) {
        report.note(`skipped ${library.lib}: ${(err as Error).message.split('\n')[0]}`)
        continue
      }
      const parity = await contender.parity()
      if (!parity.every((p, i) => equalBytes(p, reference[i]!))) {
        // A peer with another matrix is still checked: reconstruct below rebuilds from its parity.
        if (library.lib.startsWith('@defs/')) throw new Error(`${library.lib}: parity differs from klauspost`)
        if (shape === SHAPES[0])
          report.note(`${library.lib}: other matrix than klauspost, checked by reconstruction`)
      }
      for (const lost of LOSSES) {
        if (lost > m) continue
        if (lost === 0) {
          row(library.lib, 'encode', 0, (await measure(contender.encode, { bytes })).gbps)
          continue
        }
        const rebuild = contender.reconstruct(lost)
        await rebuild.run()
        if (!rebuild.result().every((s, i) => equalBytes(s, data[i]!))) {
          throw new Error(`${library.lib}: reconstruct ${k}+${m} with ${lost} lost gave wrong data`)
        }
        row(library.lib, 'reconstruct', lost, (await measure(rebuild.run, { bytes })).gbps)
      }
    }
  }
  report.printTable(['lib', 'op', 'k', 'm', 'shardSize', 'lost', 'gbps'])
  const at = (lib: string, k: number, size: number): number | undefined =>
    report.rows.find((r) => r.lib === lib && r.op === 'encode' && r.k === k && r.shardSize === size)
      ?.gbps as number
  const ours = at('@defs/erasure wasm in place', 10, 1 << 20)
  const theirs = at('@ronomon/reed-solomon', 10, 1 << 20)
  if (ours !== undefined && theirs !== undefined) {
    report.note(
      `10+4 1 MiB encode: @defs/erasure in place is ${(ours / theirs).toFixed(1)}x @ronomon/reed-solomon`
    )
  }
}
