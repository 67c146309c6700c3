// One round of each system on a cluster: DeFS (6 daemons; `defs put` on the first through the
// CLI, `defs cat` on the last) and Helia (add on one node, cat on a second: the fetch that makes
// it durable, cat on a third: the download). Every download is hashed and compared with the
// input before a figure is kept. CPU comes from /proc/<pid>/stat (utime + stime, all threads)
// before and after each step; the CLI's from bash's `times` (both of its Node processes).
import { join } from 'node:path'
import type { ClientResult } from '@defs/testbed'
import { processCpuSeconds } from '@defs/testbed'
import { peersDir } from '../lib/helia.ts'
import { peakRss } from '../lib/proc.ts'
import { LineChild } from './line-child.ts'

export interface DefsCluster {
  where: string
  /** Daemon pids in host order: [0] writes, the last one reads. */
  pids: number[]
  cli(host: number, args: string[], options?: { hashStdout?: boolean }): Promise<ClientResult>
}

/** Where a Helia node runs: a namespace and the address to listen on. */
export interface HeliaPlace {
  namespace?: string
  listen: string
}

export interface StepFigures {
  ms: number
  ttfbMs?: number
  /** CPU-seconds by role for this step. */
  cpu: Record<string, number>
}

export interface RoundFigures {
  upload: StepFigures
  download: StepFigures
  /** The largest peak resident set (VmHWM) of the daemons or nodes, MiB. */
  peakRssMiB: number
  /** Helia only: the second node's fetch after the add. */
  fetch?: StepFigures
  note: string
}

async function cpuOf(pids: number[]): Promise<number[]> {
  return Promise.all(pids.map((p) => processCpuSeconds(p)))
}

function deltas(after: number[], before: number[]): number[] {
  return after.map((a, i) => a - before[i]!)
}

export async function defsRound(
  c: DefsCluster,
  file: string,
  size: number,
  digest: string
): Promise<RoundFigures> {
  const last = c.pids.length - 1
  const c0 = await cpuOf(c.pids)
  const put = await c.cli(0, ['put', file, '--json'])
  const c1 = await cpuOf(c.pids)
  if (put.code !== 0) throw new Error(`defs put failed: ${put.stderr}`)
  const answer = JSON.parse(put.stdout) as {
    capability: string
    mode: string
    dataShards: number
    parityShards: number
  }
  const get = await c.cli(last, ['cat', answer.capability], { hashStdout: true })
  const c2 = await cpuOf(c.pids)
  if (get.code !== 0 || get.sha256 !== digest || get.bytes !== size) {
    throw new Error(
      `defs cat read ${get.bytes} bytes sha256 ${get.sha256}, expected ${size} ${digest}: ${get.stderr}`
    )
  }
  const up = deltas(c1, c0)
  const down = deltas(c2, c1)
  const peakRssMiB = await peakRss(c.pids)
  return {
    peakRssMiB,
    upload: {
      ms: put.ms,
      cpu: { uploader: up[0]!, ...byRole('receiver', up.slice(1)), client: put.cpuSeconds }
    },
    download: {
      ms: get.ms,
      ...(get.firstByteMs === undefined ? {} : { ttfbMs: get.firstByteMs }),
      cpu: { reader: down[last]!, ...byRole('server', down.slice(0, last)), client: get.cpuSeconds }
    },
    note: `${answer.mode} ${answer.dataShards}+${answer.parityShards}`
  }
}

/** Mean and max of one role over several processes (`each receiver`). */
function byRole(role: string, values: number[]): Record<string, number> {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
  return {
    [`${role} (mean)`]: mean,
    [`${role} (max)`]: Math.max(...values),
    [`${role}s`]: mean * values.length
  }
}

export async function heliaRound(
  places: HeliaPlace[],
  file: string,
  size: number,
  digest: string
): Promise<RoundFigures> {
  const script = join(peersDir, 'helia-host.ts')
  const nodes = await Promise.all(
    places.map((p) => LineChild.spawn(p.namespace, [process.execPath, script, p.listen]))
  )
  try {
    const [writer, fetcher, reader] = nodes as [LineChild, LineChild, LineChild]
    const { addr } = await writer.call<{ addr: string }>({ op: 'addr' })
    // the reader knows only the writer: Helia's download comes from its one provider
    await fetcher.call({ op: 'dial', addr })
    await reader.call({ op: 'dial', addr })
    const pids = nodes.map((n) => n.pid)
    const c0 = await cpuOf(pids)
    const add = await writer.call<{ cid: string; ms: number; sha256: string; bytes: number }>({
      op: 'add',
      file
    })
    const c1 = await cpuOf(pids)
    if (add.sha256 !== digest) throw new Error('Helia add read different bytes than the input')
    type Cat = { ms: number; ttfbMs: number; sha256: string; bytes: number }
    const fetched = await fetcher.call<Cat>({ op: 'cat', cid: add.cid })
    const c2 = await cpuOf(pids)
    const read = await reader.call<Cat>({ op: 'cat', cid: add.cid })
    const c3 = await cpuOf(pids)
    for (const r of [fetched, read])
      if (r.sha256 !== digest || r.bytes !== size)
        throw new Error(`Helia cat read ${r.bytes} bytes that differ from the input`)
    const [a, f, d] = [deltas(c1, c0), deltas(c2, c1), deltas(c3, c2)]
    return {
      peakRssMiB: await peakRss(pids),
      upload: { ms: add.ms, cpu: { adder: a[0]! } },
      fetch: { ms: fetched.ms, ttfbMs: fetched.ttfbMs, cpu: { server: f[0]!, fetcher: f[1]! } },
      download: { ms: read.ms, ttfbMs: read.ttfbMs, cpu: { server: d[0]!, reader: d[2]! } },
      note: 'unixfs, bitswap'
    }
  } finally {
    for (const n of nodes) n.close()
  }
}
