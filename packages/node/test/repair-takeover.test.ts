// A repairer SIGKILLed in the middle of a repair: its lease runs out (the file stops getting
// better), the next holder in the election finishes the work, no shard ends up placed twice, and
// the file reads back identical from a node that never saw it, the owner stopped throughout.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode, type NodeComponents } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'
import {
  type RepairNetwork,
  RepairProcess,
  singleCopies,
  startRepairNetwork
} from './network/repair-process.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const STORAGE_NODES = 8
const SLICES = 10
// Slow repairs (64 KiB/s: seconds per slice) so the kill lands mid-task; a lease longer than one
// slice's repair, so a live repairer's progress keeps the next holder waiting.
const repairOptions = { repairCheckInterval: 1000, repairLease: 8000, repairBandwidth: 64 * 1024 }

describe('a repairer SIGKILLed mid-repair', () => {
  let root: string
  let owner: DefsNode<{ parts: NodeComponents }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ parts: NodeComponents }> | undefined
  before(async () => {
    net = await startRepairNetwork('defs-takeover-', STORAGE_NODES, {
      sliceSize: 128 * 1024,
      services: { parts: { create: (c: NodeComponents) => c } },
      repairOptions: repairOptions
    })
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('is replaced by the next holder, and no shard is placed twice', async () => {
    const bytes = randomBytes(SLICES * 128 * 1024 - 500)
    const source = join(root, 'source')
    await writeFile(source, bytes)
    // m = 3: the owner, one storage node and the killed repairer may each take a shard of a slice.
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 3, parityShards: 3 })
    const placement = (await owner.services.parts.meta.getPlacement(put.fileId))!.slices
    // Lost with the owner, and with the storage node holding shards of the most slices: a repair
    // of several slices (the owner alone may hold few, or none when its disk is short).
    const slicesOf = (peer: string) => placement.filter((s) => s.some((h) => h.includes(peer))).length
    const crashed = [...nodes].sort((a, b) => slicesOf(b.peerId) - slicesOf(a.peerId))[0]!
    const ill = placement.filter((s) => s.some((h) => h.includes(owner.peerId) || h.includes(crashed.peerId)))
    assert.ok(ill.length >= 2, `${ill.length} slices lose a shard, the test needs two`)
    const holding = nodes.filter((n) => placement.flat(2).includes(n.peerId))
    await Promise.all(
      holding.map((n) => n.waitFor((l) => l.check?.fileIdHex === put.fileId, 'a check of the file', 30_000))
    )
    // The owner's shards are gone with it: every slice it held is one shard short (k + m - 1).
    await owner.stop()
    await crashed.kill('SIGKILL')

    const running = await Promise.race(
      nodes
        .filter((n) => n !== crashed)
        .map((n) =>
          n.waitFor((l) => l.task?.state === 'running', 'a repair task running', 60_000).then(() => n)
        )
    )
    await running.waitFor((l) => l.repaired !== undefined, 'a first slice repaired', 60_000)
    const doneBefore = running.lines.filter((l) => l.repaired !== undefined).length
    await running.kill('SIGKILL')
    assert.ok(
      !running.lines.some((l) => l.task?.state === 'done'),
      `the repairer was killed mid-task (${doneBefore} slices repaired before)`
    )
    const survivors = nodes.filter((n) => n !== running && n !== crashed)
    const successor = await Promise.race(
      survivors.map((n) =>
        n.waitFor((l) => l.task?.state === 'done', 'a repair task done after the kill', 120_000).then(() => n)
      )
    )
    assert.ok(
      successor.lines.some((l) => l.repaired !== undefined),
      'the next holder repaired slices'
    )

    const reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: survivors.map((n) => n.addresses[0]!),
      services: { parts: { create: (c: NodeComponents) => c } }
    })
    try {
      for (const n of survivors) await reader.peers.connect(n.addresses[0]!)
      await waitFor(
        async () => {
          const health = await reader.files.check(put.capability).catch(() => undefined)
          return health?.slices.every((s) => s.live === s.totalShards) === true
        },
        'every slice back at k + m live shards',
        120_000
      )
      const c = reader.services.parts
      await singleCopies(c, put.capability, 30_000)
      const out = join(root, 'back')
      await reader.files.get(put.capability, out)
      assert.equal(sha(await readFile(out)), sha(bytes))
    } finally {
      await reader.stop()
    }
  })
})

describe('a repairer SIGKILLed mid-repair and restarted', () => {
  let root: string
  let owner: DefsNode<{ parts: NodeComponents }>
  let nodes: RepairProcess[] = []
  // A dead repairer is no live holder, so the next one may start at once; the restarted one's task
  // must still resume and end, and between them no shard may be placed twice.
  const options = repairOptions
  let net: RepairNetwork<{ parts: NodeComponents }> | undefined
  before(async () => {
    net = await startRepairNetwork('defs-resume-', STORAGE_NODES, {
      sliceSize: 128 * 1024,
      services: { parts: { create: (c: NodeComponents) => c } },
      repairOptions: options
    })
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('resumes its persisted repair task from its checkpoint and finishes it', async () => {
    const bytes = randomBytes(SLICES * 128 * 1024 - 500)
    const source = join(root, 'source')
    await writeFile(source, bytes)
    // m = 3: the owner, one storage node and the killed repairer may each take a shard of a slice.
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 3, parityShards: 3 })
    const placement = (await owner.services.parts.meta.getPlacement(put.fileId))!.slices
    // Lost with the owner, and with the storage node holding shards of the most slices: a repair
    // of several slices (the owner alone may hold few, or none when its disk is short).
    const slicesOf = (peer: string) => placement.filter((s) => s.some((h) => h.includes(peer))).length
    const crashed = [...nodes].sort((a, b) => slicesOf(b.peerId) - slicesOf(a.peerId))[0]!
    const ill = placement.filter((s) => s.some((h) => h.includes(owner.peerId) || h.includes(crashed.peerId)))
    assert.ok(ill.length >= 2, `${ill.length} slices lose a shard, the test needs two`)
    const holding = nodes.filter((n) => placement.flat(2).includes(n.peerId))
    await Promise.all(
      holding.map((n) => n.waitFor((l) => l.check?.fileIdHex === put.fileId, 'a check of the file', 30_000))
    )
    await owner.stop()
    await crashed.kill('SIGKILL')

    const running = await Promise.race(
      nodes
        .filter((n) => n !== crashed)
        .map((n) =>
          n.waitFor((l) => l.task?.state === 'running', 'a repair task running', 60_000).then(() => n)
        )
    )
    const taskId = running.lines.find((l) => l.task?.state === 'running')!.task!.id
    await running.waitFor((l) => l.repaired !== undefined, 'a first slice repaired', 60_000)
    await running.kill('SIGKILL')
    assert.ok(!running.lines.some((l) => l.task?.state === 'done'), 'killed before the task was done')
    const firstRun = running.lines.filter((l) => l.repaired !== undefined).map((l) => l.repaired!.slice)

    const others = nodes.filter((n) => n !== running && n !== crashed)
    const restarted = new RepairProcess(
      running.dir,
      others.map((n) => n.addresses[0]!),
      options
    )
    nodes.push(restarted)
    await restarted.waitFor((l) => l.ready === true, 'the restart ready', 30_000)
    assert.equal(restarted.peerId, running.peerId, 'the same node, from its directory')
    await restarted.waitFor(
      (l) => l.task?.id === taskId && l.task.state === 'done',
      'the same repair task done after the restart',
      120_000
    )
    const secondRun = restarted.lines.filter((l) => l.repaired !== undefined).map((l) => l.repaired!.slice)
    for (const s of firstRun)
      assert.ok(!secondRun.includes(s), `slice ${s} was repaired before the kill, and again`)

    const reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: others.map((n) => n.addresses[0]!),
      services: { parts: { create: (c: NodeComponents) => c } }
    })
    try {
      for (const n of [...others, restarted]) await reader.peers.connect(n.addresses[0]!)
      await waitFor(
        async () => {
          const health = await reader.files.check(put.capability).catch(() => undefined)
          return health?.slices.every((s) => s.live === s.totalShards) === true
        },
        'every slice back at k + m live shards',
        120_000
      )
      const c = reader.services.parts
      await singleCopies(c, put.capability, 30_000)
      const out = join(root, 'back')
      await reader.files.get(put.capability, out)
      assert.equal(sha(await readFile(out)), sha(bytes))
    } finally {
      await reader.stop()
    }
  })
})
