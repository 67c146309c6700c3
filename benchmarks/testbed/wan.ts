// The WAN scenario and the CPU cost by role: DeFS and Helia on a 6-host testbed (100 Mbit/s
// egress each, 0.5% loss, no added latency: the kernel has no netem) and on loopback (a devnet
// of 6 daemons on 127.0.0.1 and Helia nodes as separate processes there).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet } from '@defs/cli'
import { cliScript, createTestbed, parseRate, runInNamespace } from '@defs/testbed'
import { label } from '../lib/files.ts'
import type { Report } from '../lib/report.ts'
import { type DefsCluster, defsRound, heliaRound, type RoundFigures } from './rounds.ts'

const GiB = 1024 ** 3
const code = { storageMode: 'rs-proportion', dataShards: 4, parityShards: 2 } as const

export interface WanOptions {
  egress: string
  loss: number
  helia: boolean
  /** Write V8 CPU profiles of every DeFS process (daemons and CLI) here. */
  profileDir?: string
}

export async function testbedRounds(file: string, size: number, digest: string, o: WanOptions) {
  const options = process.env.NODE_OPTIONS
  // every process the testbed starts inherits it: the daemons and each CLI run write a profile
  if (o.profileDir !== undefined) process.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${o.profileDir}`
  const tb = await createTestbed({ hosts: 6, egress: o.egress, loss: o.loss, node: code })
  let defs: RoundFigures
  let cliStartMs: number
  const pids = tb.hosts.map((h) => h.pid!)
  try {
    const cluster: DefsCluster = {
      where: 'testbed',
      pids,
      cli: (i, args, options) => tb.hosts[i]!.cli(args, options)
    }
    cliStartMs = (await tb.host(6).cli(['status', '--json'])).ms
    defs = await defsRound(cluster, file, size, digest)
    // a profile is written when a process exits by itself: stop the daemons gracefully first
    if (o.profileDir !== undefined) await Promise.all(tb.hosts.map((h) => h.stop()))
  } finally {
    if (options === undefined) delete process.env.NODE_OPTIONS
    else process.env.NODE_OPTIONS = options
    await tb.teardown()
  }
  let helia: RoundFigures | undefined
  if (o.helia) {
    const bare = await createTestbed({ hosts: 6, egress: o.egress, loss: o.loss, daemons: false })
    try {
      const places = [1, 2, 6].map((i) => ({
        namespace: bare.host(i).namespace,
        listen: `/ip4/${bare.host(i).address}/tcp/4101`
      }))
      helia = await heliaRound(places, file, size, digest)
    } finally {
      await bare.teardown()
    }
  }
  return { defs, helia, cliStartMs, pids }
}

export async function loopbackRounds(file: string, size: number, digest: string, helia: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'defs-bench-loopback-'))
  const devnet = await startDevnet({ nodes: 6, dir, node: code })
  let defs: RoundFigures
  try {
    const cluster: DefsCluster = {
      where: 'loopback',
      pids: devnet.nodes.map((n) => n.pid),
      cli: (i, args, options) => {
        const n = devnet.nodes[i]!
        return runInNamespace(undefined, [process.execPath, cliScript, ...args], {
          ...options,
          env: { ...process.env, DEFS_API: n.api, DEFS_TOKEN: n.token }
        })
      }
    }
    defs = await defsRound(cluster, file, size, digest)
  } finally {
    await devnet.stop()
    await rm(dir, { recursive: true, force: true })
  }
  const places = [0, 1, 2].map(() => ({ listen: '/ip4/127.0.0.1/tcp/0' }))
  const h = helia ? await heliaRound(places, file, size, digest) : undefined
  return { defs, helia: h }
}

const MBps = (size: number, ms: number) => size / 1e6 / (ms / 1000)

function ratio(ours: number, theirs: number | undefined): string {
  return theirs === undefined ? '' : `${(ours / theirs).toFixed(2)}x`
}

/** The WAN table: DeFS beside Helia with ratios, the physical limits and the targets. */
export function reportWan(
  report: Report,
  size: number,
  r: Awaited<ReturnType<typeof testbedRounds>>,
  o: WanOptions
): void {
  const link = parseRate(o.egress) / 8 / 1e6 // MB/s of one host's egress
  const { defs, helia } = r
  const sz = label(size)
  const durable = helia === undefined ? undefined : helia.upload.ms + helia.fetch!.ms
  const row = (
    system: string,
    op: string,
    ms: number,
    ttfbMs: number | undefined,
    more: Record<string, string>
  ) =>
    report.add({
      system,
      op,
      size: sz,
      s: ms / 1000,
      MBps: MBps(size, ms),
      ttfbMs: ttfbMs === undefined ? '' : Math.round(ttfbMs),
      vsHelia: '',
      limitMBps: '',
      target: '',
      ...more
    })
  row(`DeFS ${defs.note}`, 'upload until durable', defs.upload.ms, undefined, {
    vsHelia: ratio(MBps(size, defs.upload.ms), durable && MBps(size, durable)),
    limitMBps: `${(link / 1.5).toFixed(1)}-${(link / 1.25).toFixed(1)} (1.25-1.5x through 1 link)`,
    target: '>= 0.6x Helia add + fetch'
  })
  if (helia !== undefined && durable !== undefined) {
    row('Helia', 'add (local)', helia.upload.ms, undefined, { limitMBps: 'disk, CPU' })
    row('Helia', 'add + fetch by a 2nd host', durable, undefined, {
      limitMBps: `${link.toFixed(1)} (1 link)`
    })
  }
  row(`DeFS ${defs.note}`, 'download (non-writer)', defs.download.ms, defs.download.ttfbMs, {
    vsHelia: ratio(MBps(size, defs.download.ms), helia && MBps(size, helia.download.ms)),
    limitMBps: `${(5 * link).toFixed(1)} (5 holders x 1 link)`,
    target: '>= 4x Helia cat'
  })
  if (helia !== undefined) {
    row('Helia', 'cat (its one provider)', helia.download.ms, helia.download.ttfbMs, {
      limitMBps: `${link.toFixed(1)} (1 provider)`
    })
  }
}

/** Sum of the processes of one step (the per-role mean and max are views of them). */
function stepTotal(cpu: Record<string, number>): number {
  return Object.entries(cpu)
    .filter(([k]) => !k.includes('('))
    .reduce((a, [, v]) => a + v, 0)
}

const targets: Record<string, string> = {
  uploader: '<= 6',
  'receiver (mean)': '<= 2',
  'receiver (max)': '<= 2',
  reader: '<= 4',
  client: '<= 1'
}

/** The CPU table: CPU-seconds per GiB of file for each role, DeFS beside Helia, and the targets. */
export function reportCpu(
  report: Report,
  where: string,
  size: number,
  defs: RoundFigures,
  helia?: RoundFigures
): void {
  const perGiB = (s: number) => s / (size / GiB)
  const add = (system: string, step: string, role: string, s: number, target = '') =>
    report.add({ where, system, step, role, size: label(size), cpuSPerGiB: perGiB(s), target })
  for (const [role, s] of Object.entries(defs.upload.cpu)) add('DeFS', 'put', role, s, targets[role])
  for (const [role, s] of Object.entries(defs.download.cpu)) add('DeFS', 'get', role, s, targets[role])
  const defsAll = stepTotal(defs.upload.cpu) + stepTotal(defs.download.cpu)
  const heliaAll =
    helia === undefined ? undefined : stepTotal(helia.upload.cpu) + stepTotal(helia.download.cpu)
  const vs = heliaAll === undefined ? '' : `<= Helia add + cat (now ${(defsAll / heliaAll).toFixed(2)}x)`
  add('DeFS', 'put + get', 'all processes', defsAll, vs)
  report.add({
    where,
    system: 'DeFS',
    step: 'put + get',
    role: 'peak RSS, largest daemon (MiB)',
    size: label(size),
    cpuSPerGiB: defs.peakRssMiB,
    target: '< 512 for a 4 GiB file'
  })
  if (helia === undefined || heliaAll === undefined) return
  for (const [role, s] of Object.entries(helia.upload.cpu)) add('Helia', 'add', role, s)
  for (const [role, s] of Object.entries(helia.fetch!.cpu)) add('Helia', 'fetch (2nd host)', role, s)
  for (const [role, s] of Object.entries(helia.download.cpu)) add('Helia', 'cat', role, s)
  add('Helia', 'add + cat', 'all processes', heliaAll)
  report.add({
    where,
    system: 'Helia',
    step: 'add, fetch, cat',
    role: 'peak RSS, largest node (MiB)',
    size: label(size),
    cpuSPerGiB: helia.peakRssMiB,
    target: ''
  })
}
