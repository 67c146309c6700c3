// `npm run bench -- testbed [--size 256MiB,1GiB] [--part wan,loopback,lookup,transfer] [--no-helia]
//  [--profile DIR] [--json]` (--profile: V8 CPU profiles of the WAN round's DeFS processes, summed)
// DeFS on a testbed of real hosts (network namespaces, one daemon each; see test/testbed):
//   wan       6 hosts, 100 Mbit/s egress each, 0.5% loss: upload until durable and download
//             from a host that did not write it, DeFS 4+2 beside Helia (add on one host, fetch
//             on a second, cat on a third), with the physical limits; and the CPU cost by role
//   loopback  the same rounds on 127.0.0.1 (a devnet of 6 daemons; Helia nodes as processes)
//   lookup    broadcast index vs DHT findProviders on 20+ hosts: round trips, messages, time
//   transfer  shard put/get beside a raw libp2p stream between the same two hosts
// The testbed adds no latency (the kernel has no netem): times are those of a fast LAN with
// slow uplinks; round trips and message counts hold on any network. Needs root, ip, tc, nft.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testbedSupport } from '@defs/testbed'
import { profileShares } from '../lib/cpu-profile.ts'
import { MiB, sizesFrom, writeRandomFile } from '../lib/files.ts'
import { ensureHelia } from '../lib/helia.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'
import { loopbackRounds, reportCpu, reportWan, testbedRounds } from '../testbed/wan.ts'

const parts = ['wan', 'loopback', 'lookup', 'transfer']

export async function run({ json, args }: SuiteOptions): Promise<void> {
  const support = testbedSupport()
  const at = args.indexOf('--part')
  const chosen = at >= 0 ? args[at + 1]!.split(',') : parts
  for (const p of chosen)
    if (!parts.includes(p)) throw new RangeError(`--part takes ${parts.join(', ')}, got ${p}`)
  const notes = new Report('testbed', json)
  if (!support.ok) {
    notes.note(support.reason)
    return
  }
  notes.note('no added latency: this kernel has no netem, so every time below is a LAN time')
  const helia = !args.includes('--no-helia') && ensureHelia(notes)
  const profileAt = args.indexOf('--profile')
  const profileDir = profileAt >= 0 ? args[profileAt + 1] : undefined
  const wan = { egress: '100mbit', loss: 0.005, helia, ...(profileDir ? { profileDir } : {}) }
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-testbed-'))
  try {
    for (const size of sizesFrom(args, [256 * MiB])) {
      const file = join(root, `input-${size}`)
      const digest = await writeRandomFile(file, size)
      const cpu = new Report('testbed-cpu', json)
      if (chosen.includes('wan')) {
        const r = await testbedRounds(file, size, digest, wan)
        const table = new Report('testbed-wan', json)
        table.note(
          `WAN: 6 hosts, ${wan.egress} egress each, ${wan.loss * 100}% loss; DeFS through the defs CLI (its start, ${Math.round(r.cliStartMs)} ms for a status call, is in the DeFS wall times and time to first byte)`
        )
        reportWan(table, size, r, wan)
        table.printTable(['system', 'op', 'size', 's', 'MBps', 'ttfbMs', 'vsHelia', 'limitMBps', 'target'])
        reportCpu(cpu, 'testbed', size, r.defs, r.helia)
        if (profileDir !== undefined) await reportProfiles(profileDir, r.pids, json)
      }
      if (chosen.includes('loopback')) {
        const r = await loopbackRounds(file, size, digest, helia)
        reportCpu(cpu, 'loopback', size, r.defs, r.helia)
      }
      if (cpu.rows.length > 0) {
        cpu.note('CPU-seconds per GiB of file by role (utime + stime from /proc, worker threads included)')
        cpu.printTable(['where', 'system', 'step', 'role', 'size', 'cpuSPerGiB', 'target'])
      }
      await rm(file, { force: true })
    }
    if (chosen.includes('lookup')) await (await import('../testbed/lookup.ts')).run(json, args)
    if (chosen.includes('transfer')) await (await import('../testbed/transfer.ts')).run(json)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

/** Where each DeFS process of the WAN round spent its busy time, from its CPU profile. */
async function reportProfiles(dir: string, pids: number[], json: boolean): Promise<void> {
  const report = new Report('testbed-profile', json)
  const files = await readdir(dir)
  const roles = new Map(
    pids.map((pid, i) => [
      pid,
      i === 0
        ? 'h1 uploader / server'
        : i === pids.length - 1
          ? `h${i + 1} reader / receiver`
          : `h${i + 1} receiver / server`
    ])
  )
  for (const f of files.filter((f) => f.endsWith('.cpuprofile'))) {
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; worker threads write their own
    const m = /\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(f)
    const pid = Number(m?.[1])
    const thread = Number(m?.[2]) > 0 ? ' (worker thread)' : ''
    const role = `${roles.get(pid) ?? `pid ${pid} (CLI or its wrapper)`}${thread}`
    const shares = await profileShares(join(dir, f), 8)
    if (shares.length === 0) continue
    report.add({
      process: role,
      top: shares.map((s) => `${s.place} ${(s.share * 100).toFixed(0)}%`).join(', ')
    })
  }
  report.note('share of busy samples by where the code lives (V8 --cpu-prof, WAN round, put then get)')
  report.printTable(['process', 'top'])
}
