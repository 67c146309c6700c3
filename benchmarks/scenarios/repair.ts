// `npm run bench -- repair [--size 256MiB,1GiB] [--files 1000] [--json]`
// Network repair on 8 nodes in this process (real libp2p over TCP on 127.0.0.1, real disks): a
// file put with 4+2 through one node, then two other holders stopped (m shards of some slices
// gone); measured: the time until a survivor sees every slice back at k + m live shards, and the
// repair's throughput (shard bytes rebuilt and placed per second) beside the upload's rate on the
// same network (the raw transfer ceiling). Then the CPU time of a health check pass per 1,000
// files a holder keeps: the first (every file looked up) and a later one (known holders asked). The file is read back and compared before any figure is reported.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type DefsNode, type RepairService, repair } from '@defs/node'
import { label, MiB, sizesFrom, writeRandomFile } from '../lib/files.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

const NODES = 8
const K = 4
const M = 2
const repairOptions = { repairCheckInterval: 1000, repairLease: 5000, repairBandwidth: 1024 * MiB }
type BenchNode = DefsNode<{ repair: RepairService }>

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
  repairChanges: Partial<typeof repairOptions> & { repairAudits?: boolean } = {}
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
        services: { repair: repair({ ...repairOptions, ...repairChanges }) }
      })) as BenchNode
    )
  }
  for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.connect(b.addresses()[0]!)
  return nodes
}

async function repairAfterLoss(report: Report, size: number): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-repair-'))
  const nodes = await network(root, NODES)
  const stopped = new Set<BenchNode>()
  try {
    const source = join(root, 'source')
    const digest = await writeRandomFile(source, size)
    const owner = nodes[0]!
    const t0 = performance.now()
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: K, parityShards: M })
    const uploadMs = performance.now() - t0
    // The two holders of the most shards besides the owner: up to m shards of a slice gone.
    const holders = put.placement.map((s) => s.shards.map((p) => p.peerId))
    const count = (n: BenchNode) => holders.flat().filter((p) => p === n.peerId).length
    const victims = nodes
      .slice(1)
      .sort((a, b) => count(b) - count(a))
      .slice(0, 2)
    const lost = holders.map((s) => s.filter((p) => victims.some((v) => v.peerId === p)).length)
    if (Math.max(...lost) > M) throw new Error(`the victims hold more than m shards of a slice: ${lost}`)
    const lostShards = lost.reduce((a, b) => a + b, 0)
    const shardBytes = (size / put.placement.length / K) * lostShards
    const t1 = performance.now()
    for (const v of victims) {
      await v.stop()
      stopped.add(v)
    }
    const survivor = nodes.find((n) => n !== owner && !stopped.has(n))!
    for (;;) {
      const health = await survivor.files.check(put.capability).catch(() => undefined)
      if (health?.slices.every((s) => s.live === s.totalShards)) break
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
      note: `${K}+${M}, ${NODES} nodes`
    })
    report.add({
      op: 'repair',
      size: label(size),
      ms: repairMs,
      MBps: shardBytes / 1e6 / (repairMs / 1000),
      note: `${lostShards} shards (${label(Math.round(shardBytes))}) rebuilt after 2 holders stopped; ms = stop to full health, incl. detection`
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
