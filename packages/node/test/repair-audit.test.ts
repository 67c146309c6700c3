// Audits: one byte of a stored shard is flipped on a holder's disk; the file's repairer audits its
// holders at every check, finds the copy wrong (a challenge's digest, or the whole shard not
// matching its id), names the holder, lowers its audit factor, and rebuilds the shard elsewhere.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { open, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fromHex } from '@defs/crypto'
import { decodeEnvelope, verify } from '@defs/segment'
import { type DefsNode, type NodeComponents, type RepairService, repair } from '../src/index.ts'
import { electionOrder } from '../src/repair/index.ts'
import { peerHas } from '../src/steps/network-index.ts'
import { waitFor } from './network/devnet.ts'
import {
  type RepairLine,
  type RepairNetwork,
  type RepairProcess,
  startRepairNetwork
} from './network/repair-process.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const repairOptions = { repairCheckInterval: 1000, repairLease: 3000 }

describe('a flipped byte on a holder’s disk', () => {
  let root: string
  let owner: DefsNode<{ parts: NodeComponents; repair: RepairService }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ parts: NodeComponents; repair: RepairService }> | undefined
  before(async () => {
    net = await startRepairNetwork('defs-audit-', 6, {
      sliceSize: 256 * 1024,
      services: { parts: { create: (c: NodeComponents) => c }, repair: repair(repairOptions) },
      repairOptions
    })
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('is found by an audit, the holder named and scored down, the shard rebuilt elsewhere', async () => {
    const bytes = randomBytes(2 * 256 * 1024 - 100)
    const source = join(root, 'source')
    await writeFile(source, bytes)
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 3, parityShards: 2 })
    const placement = (await owner.services.parts.meta.getPlacement(put.fileId))!
    const holders = placement.slices.flat(2)
    const order = await electionOrder(fromHex(put.fileId), holders)
    const auditor = order[0]!
    // A storage node's shard, not the auditor's own (it does not audit itself).
    const victim = nodes.find((n) => n.peerId !== auditor && holders.includes(n.peerId))!
    const at = placement.slices.flatMap((s, i) =>
      s.flatMap((h, j) => (h.includes(victim.peerId) ? [{ i, j }] : []))
    )[0]!
    const shardHex = await shardIdOf(owner.services.parts, put.fileId, at.i, at.j)

    type Audit = NonNullable<RepairLine['audit']> & { by: string }
    const auditLines: Audit[] = []
    owner.services.repair.addEventListener('audit', (e) =>
      auditLines.push({
        ...e.detail,
        auditFactor: owner.services.parts.scorer.factors(e.detail.peer).audit,
        by: owner.peerId
      })
    )
    // In the order each auditor saw them, with who audited (each has its own scorer).
    const auditsOf = (): Audit[] => [
      ...auditLines,
      ...nodes.flatMap((n) =>
        n.lines.flatMap((l) => (l.audit !== undefined ? [{ ...l.audit, by: n.peerId }] : []))
      )
    ]
    // The victim passed audits before its byte flips.
    await waitFor(
      () => auditsOf().some((a) => a.peer === victim.peerId && a.result === 'pass'),
      'a first audit',
      60_000
    )
    const passed = auditsOf().filter((a) => a.peer === victim.peerId && a.result === 'pass').length

    const file = join(root, `r${nodes.indexOf(victim)}`, 'shards', put.fileId, shardHex)
    const handle = await open(file, 'r+')
    try {
      const { size } = await handle.stat()
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      await handle.write(Buffer.of(last[0]! ^ 0xff), 0, 1, size - 1)
      await handle.sync()
    } finally {
      await handle.close()
    }

    // Bounded: a check a second, each holder audited on up to 4 shards of the file, four
    // challenges per fetched copy, then a whole-shard fetch that cannot miss the flip.
    await waitFor(
      () => auditsOf().some((a) => a.peer === victim.peerId && a.shard === shardHex && a.result === 'fail'),
      'an audit to fail the flipped shard',
      90_000
    )
    const mine = auditsOf()
    const failed = mine.find((a) => a.peer === victim.peerId && a.result === 'fail')!
    // The same auditor's view of the victim just before the failure: its audit factor fell.
    const byThem = mine.filter((a) => a.by === failed.by && a.peer === victim.peerId)
    const before = byThem[byThem.indexOf(failed) - 1]
    assert.ok(passed > 0 && before !== undefined, 'the failing auditor had audited the victim before')
    assert.ok(
      failed.auditFactor < before.auditFactor,
      `the audit factor fell (${before.auditFactor} -> ${failed.auditFactor})`
    )

    // Rebuilt elsewhere: another live node holds the shard now.
    const c = owner.services.parts
    const others = [c.peerId, ...c.host.getPeers().map(String)].filter((p) => p !== victim.peerId)
    await waitFor(
      async () => {
        const has = await Promise.all(
          others.map((p) =>
            peerHas(c, p, [fromHex(shardHex)], AbortSignal.timeout(3000)).catch(() => [false])
          )
        )
        return has.some((h) => h[0] === true)
      },
      'the shard rebuilt on another node',
      90_000
    ).catch((err: Error) => {
      // What the repairers did, to tell a slow repair from none.
      const tasks = nodes.flatMap((n) => n.lines.flatMap((l) => (l.task !== undefined ? [l.task] : [])))
      throw new Error(`${err.message}; repair tasks: ${JSON.stringify(tasks)}`)
    })
    const out = join(root, 'back')
    await owner.files.get(put.fileId, out)
    assert.equal(sha(await readFile(out)), sha(bytes))
  })
})

async function shardIdOf(
  c: NodeComponents,
  fileIdHex: string,
  slice: number,
  index: number
): Promise<string> {
  const m = await verify(decodeEnvelope((await c.meta.getManifest(fileIdHex))!), 'manifest')
  return Buffer.from(m.slices[slice]!.shards[index]!).toString('hex')
}
