// Network repair with the owner gone: storage nodes in their own processes (real libp2p on
// 127.0.0.1) keep a file; its owner stops, then as many holders are SIGKILLed as leave some
// slice with only k shards. The survivors rebuild every lost shard keylessly, each exactly once,
// and the file reads back identical from a node that never saw it, the owner still stopped.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode, type NodeComponents } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'
import {
  type RepairNetwork,
  type RepairProcess,
  singleCopies,
  startRepairNetwork
} from './network/repair-process.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const K = 3
const M = 2
const STORAGE_NODES = 8
const repairOptions = { repairCheckInterval: 1500, repairLease: 4000 }

/** Peers to kill so that every slice loses at most m shards (the owner's counted) and one loses m. */
function victims(placement: string[][][], ownerId: string, candidates: string[]): string[] {
  const lost = (dead: Set<string>): number[] =>
    placement.map((slice) => slice.filter((holders) => holders.every((p) => dead.has(p))).length)
  const dead = new Set([ownerId])
  const chosen: string[] = []
  // Most shards first, so few kills reach m; never more than leaves k + m peers to place on.
  const byLoad = [...candidates].sort(
    (a, b) =>
      placement.flat(2).filter((p) => p === b).length - placement.flat(2).filter((p) => p === a).length
  )
  for (const peer of byLoad) {
    if (candidates.length - chosen.length - 1 < K + M) break
    const next = new Set([...dead, peer])
    if (lost(next).every((n) => n <= M)) {
      dead.add(peer)
      chosen.push(peer)
    }
    if (lost(dead).some((n) => n === M)) break
  }
  return chosen
}

describe('network repair, the owner stopped', () => {
  let root: string
  let owner: DefsNode<{ parts: NodeComponents }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ parts: NodeComponents }> | undefined
  before(async () => {
    net = await startRepairNetwork('defs-repair-', STORAGE_NODES, {
      sliceSize: 256 * 1024,
      services: { parts: { create: (c: NodeComponents) => c } },
      repairOptions
    })
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('rebuilds every lost shard once, keyless, and the file reads back from another node', async () => {
    const bytes = randomBytes(5 * 256 * 1024 - 1000)
    const source = join(root, 'source')
    await writeFile(source, bytes)
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: K, parityShards: M })
    const placement = (await owner.services.parts.meta.getPlacement(put.fileId))!.slices
    assert.equal(placement.length, 5, 'five slices')
    const capability = put.capability
    // Every storage node holding a shard has checked the file (so it has the owner's manifest).
    const holding = nodes.filter((n) => placement.flat(2).includes(n.peerId))
    await Promise.all(
      holding.map((n) => n.waitFor((l) => l.check?.fileIdHex === put.fileId, 'a check of the file', 30_000))
    )
    const ownerId = owner.peerId
    await owner.stop()

    const dead = victims(
      placement,
      ownerId,
      nodes.map((n) => n.peerId)
    )
    assert.ok(dead.length > 0, 'some holders are killed')
    const killed = nodes.filter((n) => dead.includes(n.peerId))
    const survivors = nodes.filter((n) => !dead.includes(n.peerId))
    const since = survivors.map((n) => n.lines.length)
    await Promise.all(killed.map((n) => n.kill('SIGKILL')))
    const gone = new Set([ownerId, ...dead])
    const lostShards = placement.map((slice) =>
      slice.flatMap((h, j) => (h.every((p) => gone.has(p)) ? [j] : []))
    )
    assert.ok(
      lostShards.some((l) => l.length === M),
      `some slice is down to k shards (lost ${JSON.stringify(lostShards)})`
    )

    // A node that never saw the file: it finds the manifest and the shards through the survivors.
    const reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: survivors.map((n) => n.addresses[0]!),
      services: { parts: { create: (c: NodeComponents) => c } }
    })
    try {
      for (const n of survivors) await reader.peers.connect(n.addresses[0]!)
      const c = reader.services.parts
      // Bounded: the survivors check every 1.5 s; repairs start at once for the elected holder.
      await waitFor(
        async () => {
          const health = await reader.files.check(capability).catch(() => undefined)
          return health?.slices.every((s) => s.live === s.totalShards) === true
        },
        'every slice back at k + m live shards',
        120_000
      )
      // Each lost shard placed once: one live copy of every shard, no more.
      const live = await singleCopies(c, capability, 30_000)
      for (const h of live.flat(2)) assert.ok(!gone.has(h), `a dead node ${h} counts as live`)
      // Who repaired: one repairer per ill slice, every lost shard placed, none twice.
      const repaired = survivors.flatMap((n) =>
        n.lines
          .slice(since[survivors.indexOf(n)])
          .flatMap((l) => (l.repaired !== undefined ? [l.repaired] : []))
      )
      if (process.env.DEFS_TEST_VERBOSE) console.log(JSON.stringify({ lostShards, repaired }))
      lostShards.forEach((lost, i) => {
        if (lost.length === 0) return
        const placed = repaired.filter((r) => r.slice === i).flatMap((r) => r.placed)
        assert.deepEqual(
          [...placed].sort(),
          lost,
          `slice ${i}: rebuilt ${JSON.stringify(placed)}, lost ${JSON.stringify(lost)}`
        )
      })
      // The file reads back identical; the owner's node is still stopped.
      const out = join(root, 'back')
      await reader.files.get(capability, out)
      assert.equal(sha(await readFile(out)), sha(bytes))
      assert.equal(owner.services.parts.lifecycle.state, 'stopped', 'the owner stayed stopped')
    } finally {
      await reader.stop()
    }
  })
})
