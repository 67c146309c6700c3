// Read-triggered repair: the holders check files only every 10 minutes, so when a holder of a data
// shard is SIGKILLed nothing notices until a read needs parity for that slice. The reader reports
// the slice (once, however often it reads) to the nearest holders; the elected one rebuilds the
// lost shard within seconds, long before any periodic check.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode, type NodeComponents, type RepairService, repair } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'
import { type RepairNetwork, type RepairProcess, startRepairNetwork } from './network/repair-process.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const K = 3
const repairOptions = { repairCheckInterval: 600_000, repairLease: 3000 }

describe('read-triggered repair', () => {
  let root: string
  let owner: DefsNode<{ parts: NodeComponents; repair: RepairService }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ parts: NodeComponents; repair: RepairService }> | undefined
  before(async () => {
    net = await startRepairNetwork('defs-onread-', 6, {
      sliceSize: 256 * 1024,
      services: { parts: { create: (c: NodeComponents) => c }, repair: repair(repairOptions) },
      repairOptions
    })
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('a read that needed parity gets the slice rebuilt, reported once', async () => {
    const bytes = randomBytes(3 * 256 * 1024 - 100)
    const source = join(root, 'source')
    await writeFile(source, bytes)
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: K, parityShards: 2 })
    const placement = (await owner.services.parts.meta.getPlacement(put.fileId))!.slices
    // A storage node holding a data shard of slice 0: without it, reading slice 0 needs parity.
    const victim = nodes.find((n) => placement[0]!.slice(0, K).some((h) => h.includes(n.peerId)))!
    assert.ok(victim !== undefined, 'a storage node holds a data shard of slice 0')
    const lost = placement.map((s) => s.flatMap((h, j) => (h.includes(victim.peerId) ? [j] : [])))
    const ownerSaw = {
      reports: [] as { fileIdHex: string; slice: number; from: string }[],
      repaired: [] as { slice: number; placed: number[] }[]
    }
    owner.services.repair.addEventListener('report', (e) => ownerSaw.reports.push(e.detail))
    owner.services.repair.addEventListener('repaired', (e) => ownerSaw.repaired.push(e.detail))
    await victim.kill('SIGKILL')
    const survivors = nodes.filter((n) => n !== victim)

    const reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: owner.addresses(),
      services: { parts: { create: (c: NodeComponents) => c } }
    })
    try {
      for (const n of survivors) await reader.peers.connect(n.addresses[0]!)
      const degraded: number[] = []
      reader.events.addEventListener('slice:degraded', (e) => degraded.push(e.detail.slice))
      for (let read = 0; read < 3; read++) {
        const out = join(root, `back-${read}`)
        await reader.files.get(put.capability, out)
        assert.equal(sha(await readFile(out)), sha(bytes))
      }
      assert.ok(degraded.includes(0), `the read reported slice 0 (degraded: ${JSON.stringify(degraded)})`)
      // Bounded far below the 10-minute check interval: only the report can have started this.
      await waitFor(
        async () => {
          const health = await reader.files.check(put.capability).catch(() => undefined)
          return health?.slices.every((s) => s.live === s.totalShards) === true
        },
        'every slice back at k + m live shards',
        60_000
      )
      // The owner sees it too: its placement and the holders' records together.
      const ownerView = await owner.files.check(put.fileId)
      assert.ok(
        ownerView.slices.every((s) => s.live === s.totalShards),
        `the owner's check: ${JSON.stringify(ownerView.slices.map((s) => s.live))}`
      )
      // Reports the storage nodes and the owner received from the reader: three reads, at most
      // one report per slice to each of the two nearest holders.
      const reports = [
        ...ownerSaw.reports,
        ...survivors.flatMap((n) => n.lines.flatMap((l) => (l.report !== undefined ? [l.report] : [])))
      ].filter((r) => r.from === reader.peerId)
      assert.ok(
        reports.some((r) => r.slice === 0),
        'a holder got the report of slice 0'
      )
      for (const slice of new Set(reports.map((r) => r.slice))) {
        const times = reports.filter((r) => r.slice === slice).length
        assert.ok(times <= 2, `slice ${slice} reported ${times} times by three reads`)
      }
      const repaired = [
        ...ownerSaw.repaired,
        ...survivors.flatMap((n) => n.lines.flatMap((l) => (l.repaired !== undefined ? [l.repaired] : [])))
      ]
      const placed = repaired.filter((r) => r.slice === 0).flatMap((r) => r.placed)
      assert.deepEqual(
        [...placed].sort(),
        lost[0],
        `slice 0 lost ${JSON.stringify(lost[0])}, rebuilt ${JSON.stringify(placed)}`
      )
    } finally {
      await reader.stop()
    }
  })
})
