// A pair partner in maintenance, on real nodes (TCP on 127.0.0.1, own directories): it keeps
// heartbeating and says "maintenance", so its partner does not fail it over, however long past
// the failure timeout, until pairMaintenanceMax; switched off, the pair is healthy again and the
// shards acknowledged with one copy meanwhile reach it. Beyond the maximum the survivor fails it
// over, pairs anew and migrates. Every file acknowledged is read back at the end.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { PairEvents } from '@defs/pairing'
import { peerIdFromString } from '@libp2p/peer-id'
import { type DefsNode, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { pairOf, shardFiles } from './pair-helpers.ts'

const fast = {
  heartbeatInterval: 200,
  pairSuspectAfter: 600,
  pairFailureTimeout: 3000,
  formationBackoff: 100,
  autoPair: false
}
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What was acknowledged: each stored file's capability and content hash. */
type Ledger = { fileId: string; capability: string; sha: string }[]

async function store(node: DefsNode, dir: string, name: string, ledger: Ledger): Promise<void> {
  const bytes = randomBytes(1024 * 1024)
  const path = join(dir, name)
  await writeFile(path, bytes)
  const put = await node.files.put(path, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
  assert.equal((await node.tasks.settled(put.taskId)).state, 'done')
  ledger.push({ fileId: put.fileId, capability: put.capability, sha: sha(bytes) })
}

async function readBack(reader: DefsNode, dir: string, ledger: Ledger): Promise<void> {
  for (const [i, f] of ledger.entries()) {
    const out = join(dir, `back-${i}`)
    await reader.files.get(f.capability, out)
    assert.equal(sha(await readFile(out)), f.sha, `file ${f.fileId} reads back identical`)
  }
}

/** Every shard `a` holds of the ledger's files is on `b` too. */
async function mirrored(a: DefsNode, b: DefsNode, ledger: Ledger): Promise<boolean> {
  for (const f of ledger) {
    const onB = new Set(await shardFiles(b, f.fileId))
    if (!(await shardFiles(a, f.fileId)).every((s) => onB.has(s))) return false
  }
  return true
}

function unpairs(node: DefsNode): PairEvents['unpair'][] {
  const seen: PairEvents['unpair'][] = []
  pairOf(node).addEventListener('unpair', (e) => seen.push((e as CustomEvent<PairEvents['unpair']>).detail))
  return seen
}

describe('a pair partner in maintenance', { timeout: 240_000 }, () => {
  let net: TestNetwork | undefined
  const start = async (pairMaintenanceMax: number) => {
    net = await startNetwork(4, { services: { pairing: pairingService({ ...fast, pairMaintenanceMax }) } })
    const [a, b, c, d] = net.nodes as [DefsNode, DefsNode, DefsNode, DefsNode]
    await pairOf(a).pairWith(peerIdFromString(b.peerId))
    return { a, b, c, d, root: net.root }
  }
  after(async () => await net?.stop())

  it('for longer than the failure timeout, below the maximum, is not failed over; after `off` the pair is healthy', async () => {
    const { a, b, c, root } = await start(60_000)
    const ledger: Ledger = []
    const unpaired = [...unpairs(a), ...unpairs(b)]
    await store(a, root, 'before', ledger)
    await waitFor(() => mirrored(a, b, ledger), 'the pair mirrors the first file', 20_000)

    await b.maintenance.on()
    await waitFor(() => pairOf(a).status().health === 'maintenance', 'a hears b is in maintenance')
    await store(a, root, 'during', ledger)
    // three failure timeouts: b heartbeats all along, saying it is in maintenance
    await sleep(3 * fast.pairFailureTimeout)
    assert.equal(pairOf(a).status().health, 'maintenance')
    assert.equal(unpaired.length, 0, 'no unpair on either side')
    assert.equal(pairOf(a).partner()?.toString(), b.peerId)
    assert.equal(
      await mirrored(a, b, ledger.slice(1)),
      false,
      'b in maintenance took no shard of the second file'
    )

    await b.maintenance.off()
    await waitFor(() => pairOf(a).status().health === 'alive', 'a hears b running again')
    const held = await Promise.all(ledger.map((f) => shardFiles(a, f.fileId)))
    assert.ok(
      held.every((h) => h.length > 0),
      `a holds shards of each file: ${held.map((h) => h.length)}`
    )
    await waitFor(() => mirrored(a, b, ledger), 'what a took alone meanwhile reaches b', 30_000)
    await waitFor(() => mirrored(b, a, ledger), 'and the other way', 30_000)
    assert.equal(unpaired.length, 0)
    assert.equal(pairOf(a).pairing?.record.epoch, 1, 'the same pair')
    assert.equal(pairOf(b).partner()?.toString(), a.peerId)
    await readBack(c, root, ledger)
    await net!.stop()
    net = undefined
  })

  it('beyond the maximum is failed over: the survivor pairs anew and migrates, nothing acknowledged is lost', async () => {
    const { a, b, c, d, root } = await start(8000)
    const ledger: Ledger = []
    const unpaired = unpairs(a)
    await store(a, root, 'before', ledger)
    await waitFor(() => mirrored(a, b, ledger), 'the pair mirrors the file', 20_000)
    await b.maintenance.on()
    await waitFor(() => pairOf(a).status().health === 'maintenance', 'a hears b is in maintenance')
    await store(a, root, 'during', ledger)
    pairOf(a).options.autoPair = true
    await waitFor(() => unpaired.length > 0, 'a fails b over after the maximum', 30_000)
    assert.deepEqual(
      unpaired.map((u) => [u.partner, u.reason]),
      [[b.peerId, 'failed']]
    )
    const partner = () => [c, d].find((n) => n.peerId === pairOf(a).partner()?.toString())
    await waitFor(() => partner() !== undefined, 'a pairs with c or d', 30_000)
    assert.ok(pairOf(a).pairing!.record.epoch > 1, 'at a higher epoch')
    await waitFor(
      () => mirrored(a, partner()!, ledger),
      'every shard a holds reaches its new partner',
      60_000
    )
    // the moved shards are found where they are now: holders answer lookups for what they hold
    const moved = partner()!
    for (const f of ledger) {
      const health = await a.files.check(f.fileId)
      const named = new Set(health.slices.flatMap((sl) => sl.holders))
      if ((await shardFiles(moved, f.fileId)).length > 0)
        assert.ok(named.has(moved.peerId), `a lookup of ${f.fileId} names the new partner`)
    }
    await b.maintenance.off()
    const reader = partner() === c ? d : c
    await readBack(reader, root, ledger)
  })
})
