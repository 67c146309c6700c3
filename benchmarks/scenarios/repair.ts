// `npm run bench -- repair [--size 256MiB,1GiB] [--files 1000] [--json]`
// Network repair on 8 nodes in this process (real libp2p over TCP on 127.0.0.1, real disks), paired
// as 4 pairs: a file put with 4+2 through one node (every shard on a pair, mirrored to the
// partner; at most m shards of a slice on one pair), then both nodes of the pair holding the most
// shards stopped (up to m shards of a slice gone, both copies); measured: the time until a
// survivor sees every slice back at k + m live shards, and the repair's throughput (shard bytes
// rebuilt and placed per second, each placed on a pair) beside the upload's rate on the same
// network (the raw transfer ceiling). Then the CPU time of a health check pass per 1,000 files a
// holder keeps (no pairing): the first (every file looked up) and a later one (known holders
// asked). The file is read back and compared before any figure is reported.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createNode,
  type DefsNode,
  type NodePairing,
  pairingService,
  type RepairService,
  repair
} from '@defs/node'
import { peerIdFromString } from '@libp2p/peer-id'
import { label, MiB, sizesFrom, writeRandomFile } from '../lib/files.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

const NODES = 8
const K = 4
const M = 2
const repairOptions = { repairCheckInterval: 1000, repairLease: 5000, repairBandwidth: 1024 * MiB }
/** Pairs formed by hand (no auto-pairing); the lost pair has no survivor to fail over: repair rebuilds. */
const pairOptions = {
  heartbeatInterval: 200,
  pairSuspectAfter: 600,
  pairFailureTimeout: 60_000,
  formationBackoff: 100,
  autoPair: false
}
type BenchNode = DefsNode<{ repair: RepairService; pairing?: NodePairing }>

export async function run({ json, args }: SuiteOptions): Promise<void> {
  const report = new Report('repair', json)
  const sizes = sizesFrom(args, [256 * MiB])
  const at = args.indexOf('--files')
  const files = at >= 0 ? Number(args[at + 1]) : 1000
  for (const size of sizes) await repairAfterLoss(report, size)
  await healthCheckCost(report, files)
  report.printTable(['op', 'size', 'ms', 'MBps', 'note'])
}

async function network(
  root: string,
  n: number,
  repairChanges: Partial<typeof repairOptions> & { repairAudits?: boolean } = {},
  paired = false
): Promise<BenchNode[]> {
  const nodes: BenchNode[] = []
  for (let i = 0; i < n; i++) {
    nodes.push(
      (await createNode({
        dataDir: join(root, `n${i}`),
        workerNum: 2,
        probationMs: 0,
        maxStorage: 64 * 1024 * MiB,
        bootstrap: nodes.length > 0 ? nodes[0]!.addresses() : [],
        services: {
          repair: repair({ ...repairOptions, ...repairChanges }),
          ...(paired ? { pairing: pairingService(pairOptions) } : {})
        }
      })) as BenchNode
    )
  }
  for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.connect(b.addresses()[0]!)
  if (!paired) return nodes
  // n0+n1, n2+n3, ...: each pair formed, then known as one to every node (placement reads that).
  const pairs: [BenchNode, BenchNode][] = []
  for (let i = 0; i + 1 < n; i += 2) pairs.push([nodes[i]!, nodes[i + 1]!])
  for (const [a, b] of pairs) await a.services.pairing!.service.pairWith(peerIdFromString(b.peerId))
  const known = () =>
    nodes.every((x) => pairs.every(([a, b]) => x.services.pairing!.service.partnerOf(a.peerId) === b.peerId))
  for (const until = performance.now() + 60_000; !known(); await new Promise((r) => setTimeout(r, 100)))
    if (performance.now() > until) throw new Error('the pairs were not known to every node within 60 s')
  return nodes
}

async function repairAfterLoss(report: Report, size: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-repair-'))
  const nodes = await network(root, NODES, {}, true)
  const stopped = new Set<BenchNode>()
  try {
    const source = join(root, 'source')
    const digest = await writeRandomFile(source, size)
    const owner = nodes[0]!
    const t0 = performance.now()
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: K, parityShards: M })
    const uploadMs = performance.now() - t0
    process.stderr.write(`repair bench: uploaded in ${(uploadMs / 1000).toFixed(1)} s\n`)
    // The pair (not the owner's) holding the most shards: both its nodes go, with up to m shards
    // of a slice, both copies of each.
    const holders = put.placement.map((s) => s.shards.map((p) => p.peerId))
    const pairOf = (id: string) => {
      const partner = owner.services.pairing!.service.partnerOf(id)
      return partner === undefined ? id : [id, partner].sort().join('+')
    }
    const ownPair = pairOf(owner.peerId)
    const count = (pair: string) => holders.flat().filter((p) => pairOf(p) === pair).length
    const [doomed] = [...new Set(nodes.map((n) => pairOf(n.peerId)))]
      .filter((p) => p !== ownPair)
      .sort((a, b) => count(b) - count(a))
    const victims = nodes.filter((n) => pairOf(n.peerId) === doomed)
    if (victims.length !== 2) throw new Error(`the pair ${doomed} is not two nodes`)
    const lost = holders.map((s) => s.filter((p) => pairOf(p) === doomed).length)
    if (Math.max(...lost) > M) throw new Error(`the pair holds more than m shards of a slice: ${lost}`)
    if (Math.min(...lost) === 0 && Math.max(...lost) === 0) throw new Error('the pair holds no shard')
    const lostShards = lost.reduce((a, b) => a + b, 0)
    const shardBytes = (size / put.placement.length / K) * lostShards
    const t1 = performance.now()
    const progress = (what: string) =>
      process.stderr.write(`repair bench: ${what} at ${((performance.now() - t1) / 1000).toFixed(1)} s\n`)
    await Promise.all(
      victims.map(async (v) => {
        await v.stop()
        stopped.add(v)
      })
    )
    progress('the pair stopped')
    const survivor = nodes.find((n) => n !== owner && !stopped.has(n))!
    let shown = performance.now()
    for (;;) {
      const health = await survivor.files.check(put.capability).catch(() => undefined)
      if (health?.slices.every((s) => s.live === s.totalShards)) break
      if (health !== undefined && performance.now() - shown > 10_000) {
        shown = performance.now()
        const short = health.slices.filter((s) => s.live < s.totalShards).length
        progress(`${short} of ${health.slices.length} slices short`)
      }
      if (performance.now() - t1 > 30 * 60_000) throw new Error('not back at full health within 30 minutes')
      await new Promise((r) => setTimeout(r, 250))
    }
    const repairMs = performance.now() - t1
    const back = join(root, 'back')
    await survivor.files.get(put.capability, back)
    const got = createHash('sha256')
      .update(await readFile(back))
      .digest('hex')
    if (got !== digest) throw new Error(`the file read back after repair differs: ${got} != ${digest}`)
    report.add({
      op: 'upload',
      size: label(size),
      ms: uploadMs,
      MBps: size / 1e6 / (uploadMs / 1000),
      note: `${K}+${M}, ${NODES} nodes in ${NODES / 2} pairs (each shard stored twice)`
    })
    report.add({
      op: 'repair',
      size: label(size),
      ms: repairMs,
      MBps: shardBytes / 1e6 / (repairMs / 1000),
      note: `${lostShards} shards (${(shardBytes / MiB).toFixed(1)} MiB) rebuilt after a pair (2 nodes) stopped, placed on pairs; ms = stop to full health, incl. detection`
    })
  } finally {
    await Promise.allSettled(nodes.filter((n) => !stopped.has(n)).map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  }
}

/** CPU time of one health check pass over `files` small files a holder keeps. */
async function healthCheckCost(report: Report, files: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-health-'))
  // Audits off: the figure is the check itself (lookup, has, election), not the audits it may
  // start. Checks by timer every hour, so only the passes measured here run (at the repair
  // scenario's 1 s, every node's own passes would run beside them and be counted).
  const nodes = await network(root, 3, { repairAudits: false, repairCheckInterval: 3_600_000 })
  try {
    const [owner, holder] = nodes as [BenchNode, BenchNode, BenchNode]
    for (let i = 0; i < files; i++) {
      const bytes = new TextEncoder().encode(`file ${i}`)
      await owner.files.put(
        (async function* () {
          yield bytes
        })(),
        { mode: 'rs-proportion', dataShards: 1, parityShards: 1 }
      )
    }
    // The first pass looks every file's holders up in the index; later ones ask the holders they
    // know and look up again only a file they no longer show healthy (or every 10 intervals).
    for (const pass of ['first pass (index lookups)', 'later pass (known holders)']) {
      const cpu = process.cpuUsage()
      const t = performance.now()
      const checks = await holder.services.repair.checkNow()
      const ms = performance.now() - t
      const used = process.cpuUsage(cpu)
      if (checks.length === 0) throw new Error('the holder keeps no file')
      if (checks.some((c) => c.needs.length > 0)) throw new Error('a healthy file was found ill')
      const perThousand = ((used.user + used.system) / 1000) * (1000 / checks.length)
      report.add({
        op: 'health check',
        size: `${checks.length} files`,
        ms,
        MBps: '',
        note: `${pass}: ${perThousand.toFixed(0)} ms CPU per 1,000 files, audits off (3 nodes in this process, their answers included)`
      })
    }
  } finally {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  }
}
