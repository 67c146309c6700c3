// A whole pair lost with the owner gone: paired storage nodes in their own processes (real libp2p
// on 127.0.0.1) keep two files, each shard mirrored on its holder's partner; the owner (paired
// too) stops, then both nodes of one pair holding shards of the files are SIGKILLed at once.
// Placement keeps at most m shards of a slice on one pair, so no slice drops below k; the
// survivors rebuild every shard the pair held, keyless, each once, placed by the same rule; and
// every acknowledged file reads back identical from a node that never held it, the owner still
// stopped.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import {
  createNode,
  type DefsNode,
  type NodeComponents,
  type NodePairing,
  pairingService
} from '../src/index.ts'
import { waitFor } from './network/devnet.ts'
import {
  fullHealth,
  type Ledger,
  liveShards,
  putRecorded,
  type RepairNetwork,
  type RepairProcess,
  readBack,
  startRepairNetwork
} from './network/repair-process.ts'
import { shardFiles, steadyPairs } from './pair-helpers.ts'

// k = 2, m = 1: each shard of a slice on its own pair, so a slice spans 3 of the 4 pairs and the
// fourth is free to take the shard a lost pair held (repair places nothing beside the slice's
// other holders).
const K = 2
const M = 1
// With the owner: 8 nodes, 4 pairs.
const STORAGE_NODES = 7
const SLICE = 256 * 1024
const repairOptions = { repairCheckInterval: 1500, repairLease: 4000 }
type Services = { parts: NodeComponents; pairing: NodePairing }

describe('network repair after a pair is lost, the owner stopped', () => {
  let root: string
  let owner: DefsNode<Services>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<Services> | undefined
  let reader: DefsNode | undefined
  before(async () => {
    net = await startRepairNetwork('defs-pairloss-', STORAGE_NODES, {
      sliceSize: SLICE,
      services: { parts: { create: (c: NodeComponents) => c }, pairing: pairingService(steadyPairs) },
      repairOptions,
      pairing: steadyPairs
    })
    ;({ root, owner, nodes } = net)
  })
  after(async () => {
    await reader?.stop().catch(() => {})
    await net?.stop()
  })

  it('rebuilds every shard the pair held, once, and every acknowledged file reads back', async () => {
    // The owner pairs with the first node, the others with each other.
    const pairs: [string, string][] = [[owner.peerId, nodes[0]!.peerId]]
    const ownerPairing = owner.services.pairing.service
    await ownerPairing.pairWith(peerIdFromString(nodes[0]!.peerId))
    await nodes[0]!.waitFor((l) => l.pair?.partner === owner.peerId, 'its pair with the owner', 20_000)
    for (let i = 1; i + 1 < nodes.length; i += 2) {
      const [a, b] = [nodes[i]!, nodes[i + 1]!]
      await a.pairWith(b.peerId)
      await b.waitFor((l) => l.pair?.partner === a.peerId, 'its side of the pair', 20_000)
      pairs.push([a.peerId, b.peerId])
    }
    const pairOf = new Map(pairs.flatMap(([a, b]) => [[a, `${a}+${b}`] as const, [b, `${a}+${b}`] as const]))
    // The uploader places by pairs only once its directory knows every one.
    await waitFor(
      () => pairs.every(([a, b]) => ownerPairing.partnerOf(a) === b && ownerPairing.partnerOf(b) === a),
      "every pair in the owner's directory",
      20_000
    )

    const ledger: Ledger = []
    const code = { dataShards: K, parityShards: M }
    await putRecorded(owner, root, 'a.bin', randomBytes(4 * SLICE - 777), code, ledger)
    await putRecorded(owner, root, 'b.bin', randomBytes(3 * SLICE - 99), code, ledger)
    const anyNode = nodes[1]!
    // Every shard on a pair, both copies live (the holder forwarded it before acknowledging).
    const before: string[][][][] = []
    for (const f of ledger) {
      let live: string[][][] = []
      await waitFor(
        async () => {
          live = await anyNode.holders(f.capability)
          return live.flat().every((h) => h.length === 2 && pairOf.get(h[0]!) === pairOf.get(h[1]!))
        },
        `every shard of ${f.fileId} on both nodes of a pair`,
        30_000
      )
      before.push(live)
      for (const [i, slice] of live.entries()) {
        const perPair = slice.map((h) => pairOf.get(h[0]!))
        assert.equal(new Set(perPair).size, perPair.length, `file ${f.fileId} slice ${i}: one shard per pair`)
      }
    }
    // Every storage node holding a shard has checked the files (so it has the owner's manifest).
    for (const [n, f] of ledger.entries()) {
      const holding = nodes.filter((p) => before[n]!.flat(2).includes(p.peerId))
      await Promise.all(
        holding.map((p) => p.waitFor((l) => l.check?.fileIdHex === f.fileId, 'a check of the file', 30_000))
      )
    }

    // The storage pair that holds the most shards of the files.
    const lostWith = (pair: string) =>
      before.map((live) =>
        live.map((slice) => slice.flatMap((h, j) => (h.every((p) => pairOf.get(p) === pair) ? [j] : [])))
      )
    const count = (lost: number[][][]) => lost.flat(2).length
    const [doomed] = pairs
      .slice(1)
      .map(([a, b]) => `${a}+${b}`)
      .sort((x, y) => count(lostWith(y)) - count(lostWith(x)))
    const lost = lostWith(doomed!)
    assert.ok(count(lost) > 0, 'the pair holds shards of the files')
    for (const [n, f] of ledger.entries()) {
      for (const [i, l] of lost[n]!.entries()) {
        assert.ok(l.length <= M, `file ${f.fileId} slice ${i} loses ${l.length} shards with one pair`)
      }
    }

    await owner.stop()
    const killed = nodes.filter((p) => pairOf.get(p.peerId) === doomed)
    const survivors = nodes.filter((p) => !killed.includes(p))
    const since = survivors.map((p) => p.lines.length)
    await Promise.all(killed.map((p) => p.kill('SIGKILL')))
    const gone = new Set([owner.peerId, ...killed.map((p) => p.peerId)])

    // No slice below k: asked of a live holder, the killed ones count for nothing.
    for (const f of ledger) {
      const perSlice = liveShards(await survivors[0]!.holders(f.capability))
      for (const [i, live] of perSlice.entries())
        assert.ok(live >= K, `file ${f.fileId} slice ${i} has ${live} live shards`)
    }
    // Every lost shard rebuilt by the survivors (bounded: checks every 1.5 s, rank 0 repairs at once).
    for (const f of ledger) await fullHealth(survivors[0]!, f.capability, 120_000)
    const repairedOf = (fileId: string) =>
      survivors.flatMap((p, s) =>
        p.lines.slice(since[s]).flatMap((l) => (l.repaired?.fileIdHex === fileId ? [l.repaired] : []))
      )
    // The repairers report each slice once its checkpoint holds it.
    await waitFor(
      () =>
        ledger.every((f, n) =>
          lost[n]!.every((l, i) => l.length === 0 || repairedOf(f.fileId).some((r) => r.slice === i))
        ),
      'a repaired line for every slice the pair held shards of',
      30_000
    )
    // Settled: every survivor holding the files checks each again twice, none repairs any more.
    const mark = survivors.map((p) => p.lines.length)
    await Promise.all(
      ledger.flatMap((f) =>
        survivors
          .filter((p) => p.lines.some((l) => l.check?.fileIdHex === f.fileId))
          .map((p) =>
            waitFor(
              () =>
                p.lines.slice(mark[survivors.indexOf(p)]).filter((l) => l.check?.fileIdHex === f.fileId)
                  .length >= 2,
              `two more checks of ${f.fileId} by ${p.peerId}`,
              30_000
            )
          )
      )
    )
    for (const [n, f] of ledger.entries()) {
      const repaired = repairedOf(f.fileId)
      if (process.env.DEFS_TEST_VERBOSE) console.log(JSON.stringify({ lost: lost[n], repaired }))
      for (const [i, l] of lost[n]!.entries()) {
        const placed = repaired.filter((r) => r.slice === i).flatMap((r) => r.placed)
        assert.deepEqual(
          [...placed].sort(),
          l,
          `file ${f.fileId} slice ${i}: rebuilt ${JSON.stringify(placed)}, lost ${JSON.stringify(l)}`
        )
      }
      // Placed as an upload places: each shard on one pair (its holder and perhaps its partner), no
      // pair with more than m shards of a slice, nothing counted on a dead node.
      const live = await fullHealth(survivors[0]!, f.capability, 30_000)
      for (const [i, slice] of live.entries()) {
        const onPairs = slice.map((h) => new Set(h.map((p) => pairOf.get(p) ?? p)))
        for (const [j, on] of onPairs.entries()) {
          assert.equal(on.size, 1, `file ${f.fileId} slice ${i} shard ${j} on ${JSON.stringify(slice[j])}`)
          for (const p of slice[j]!) assert.ok(!gone.has(p), `${p} is gone but counted live`)
        }
        const perPair = onPairs.map((on) => [...on][0])
        assert.equal(new Set(perPair).size, perPair.length, `file ${f.fileId} slice ${i}: one shard per pair`)
      }
    }

    // A node that never held the files reads every acknowledged one back; the owner is still stopped.
    reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: survivors.map((p) => p.addresses[0]!)
    })
    for (const p of survivors) await reader.peers.connect(p.addresses[0]!)
    await readBack(reader, root, ledger)
    for (const f of ledger) assert.deepEqual(await shardFiles(reader, f.fileId), [], 'the reader holds none')
    assert.equal(owner.services.parts.lifecycle.state, 'stopped', 'the owner stayed stopped')
  })
})
