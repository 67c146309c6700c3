// Leases and garbage collection across real processes (libp2p on 127.0.0.1): storage nodes with
// short leases keep a live file while an uploader is SIGKILLed mid-upload. The killed upload's
// shards (no manifest ever signed, so nobody renews them) are collected after the grace period
// and the quota is back to what is on disk; the live file's shards never are, first while its
// owner's node renews them, then with the owner stopped, while the file's repairer renews them.
// The live file reads back identical from a node that never saw it. And a holder stopped while
// its file is deleted keeps its shards only until their lease, which nobody renews now, runs out.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createNode, type DefsNode, type LeaseService, leases, repair } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'
import { type RepairNetwork, type RepairProcess, startRepairNetwork } from './network/repair-process.ts'

const uploadChild = fileURLToPath(new URL('./fixtures/upload-child.ts', import.meta.url))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const STORAGE_NODES = 5
const repairOptions = { repairCheckInterval: 800, repairLease: 3000, repairAudits: false }
const leaseOptions = { leaseDuration: 3000, leaseGrace: 1000 }
/** A lease and its grace: what a claim nobody renews lives at most (plus a sweep). */
const LIFETIME = leaseOptions.leaseDuration + leaseOptions.leaseGrace

/** Shard files (name -> bytes) under each file id directory of a node's store. */
async function shardFiles(dir: string): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>()
  const root = join(dir, 'shards')
  for (const file of await readdir(root).catch(() => [])) {
    const files = new Map<string, number>()
    for (const name of await readdir(join(root, file)).catch(() => [])) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue
      const info = await stat(join(root, file, name)).catch(() => undefined)
      if (info !== undefined) files.set(name, info.size)
    }
    if (files.size > 0) out.set(file, files)
  }
  return out
}

/** Sleeps `ms` (bounded by itself): leases are measured in real time. */
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** An in-process owner with short leases, and `n` storage node processes joined to it. */
function startLeaseNetwork(prefix: string, n: number): Promise<RepairNetwork<{ leases: LeaseService }>> {
  return startRepairNetwork(prefix, n, {
    sliceSize: 256 * 1024,
    services: { repair: repair(repairOptions), leases: leases(leaseOptions) },
    repairOptions,
    leaseOptions
  })
}

describe('leases and garbage collection', () => {
  let root: string
  let owner: DefsNode<{ leases: LeaseService }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ leases: LeaseService }> | undefined
  before(async () => {
    net = await startLeaseNetwork('defs-lease-', STORAGE_NODES)
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it("collects a killed upload's shards after the grace period, never a live file's", async () => {
    // The live file, acknowledged: every byte of it must read back at the end.
    const bytes = randomBytes(3 * 256 * 1024 - 100)
    const source = join(root, 'live')
    await writeFile(source, bytes)
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const ownerRenewals: string[][] = []
    owner.services.leases.addEventListener('renewed', (e) => {
      if (e.detail.fileIdHex === put.fileId) ownerRenewals.push(e.detail.holders)
    })
    /** `node/shard` of every shard file of the live file on the storage nodes (the owner may hold some too). */
    const liveShards = async (): Promise<Set<string>> => {
      const held = new Set<string>()
      for (const node of nodes)
        for (const name of (await shardFiles(node.dir)).get(put.fileId)?.keys() ?? [])
          held.add(`${node.peerId}/${name}`)
      return held
    }
    const placed = await liveShards()
    assert.ok(placed.size >= 6, `the storage nodes hold most of the 9 shards (${placed.size})`)
    /** Those of the shard files first placed that are gone. */
    const lost = async (): Promise<string[]> => {
      const now = await liveShards()
      return [...placed].filter((s) => !now.has(s))
    }

    // An upload SIGKILLed after two of its slices: its shards are on the storage nodes, no manifest.
    const big = join(root, 'killed')
    await writeFile(big, randomBytes(12 * 256 * 1024))
    const proc = spawn(
      process.execPath,
      [
        '--conditions=@defs/source',
        uploadChild,
        join(root, 'uploader'),
        big,
        JSON.stringify(nodes.map((n) => n.addresses[0]!))
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    const exited = new Promise((resolve) => proc.on('exit', (_c, signal) => resolve(signal)))
    const deadline = setTimeout(() => proc.kill('SIGKILL'), 60_000)
    for await (const line of createInterface({ input: proc.stdout! })) {
      if (((JSON.parse(line) as { slicesDone?: number }).slicesDone ?? 0) >= 2) {
        proc.kill('SIGKILL')
        break
      }
    }
    clearTimeout(deadline)
    assert.equal(await exited, 'SIGKILL', 'the uploader was killed before it finished')
    const orphanFiles = new Set<string>()
    for (const node of nodes)
      for (const f of (await shardFiles(node.dir)).keys()) if (f !== put.fileId) orphanFiles.add(f)
    assert.equal(orphanFiles.size, 1, 'the killed upload left shards of its file on the storage nodes')
    const [orphan] = [...orphanFiles]

    // Collected (bounded: a lease, its grace and a few sweeps), by the holders themselves.
    await waitFor(
      async () => {
        for (const node of nodes) if ((await shardFiles(node.dir)).has(orphan!)) return false
        return true
      },
      'every shard of the killed upload collected',
      LIFETIME * 4
    )
    const collected = nodes.flatMap((n) => n.lines.flatMap((l) => (l.collected ? [l.collected] : [])))
    assert.ok(
      collected.some((c) => c.fileIdHex === orphan && c.bytes > 0),
      'the holders report what they collected'
    )

    // The quota counts what is on disk, the collected shards gone; status says what was collected.
    for (const node of nodes) {
      const status = await node.status()
      const onDisk = [...(await shardFiles(node.dir)).values()].reduce(
        (n, files) => n + [...files.values()].reduce((a, b) => a + b, 0),
        0
      )
      assert.equal(status.storedBytes, onDisk, `${node.peerId}: storedBytes is the bytes of its shard files`)
      assert.equal(status.disk.shardBytes, onDisk, `${node.peerId}: the disk budget counts the same`)
      assert.equal(status.leases.held.bytes, onDisk)
      const mine = collected.filter((c) => node.lines.some((l) => l.collected === c))
      assert.equal(status.leases.collected.shards, mine.filter((c) => c.bytes > 0).length)
      assert.equal(
        status.leases.collected.bytes,
        mine.reduce((n, c) => n + c.bytes, 0)
      )
      assert.equal(status.leases.expired.shards, 0, 'nothing of the live file has expired')
    }

    // Meanwhile the owner renewed, and the live file lost nothing.
    assert.ok(
      ownerRenewals.some((h) => h.length > 0),
      'the owner renewed its file on its holders'
    )
    assert.deepEqual(await lost(), [], 'every shard of the live file is still held')

    // The owner stops: the file's repairer renews from now on. Two lifetimes later nothing is lost.
    await owner.stop()
    const since = nodes.map((n) => n.lines.length)
    await waitFor(
      () =>
        nodes.some((n, i) =>
          n.lines
            .slice(since[i])
            .some((l) => l.renewed?.as === 'repairer' && l.renewed.fileIdHex === put.fileId)
        ),
      'the repairer to renew the file',
      LIFETIME
    )
    await pause(2 * LIFETIME)
    if (process.env.DEFS_TEST_VERBOSE)
      console.log(
        JSON.stringify(
          nodes.map((n) => [
            n.peerId,
            n.lines.filter((l) => l.renewed || l.collected || l.check?.fileIdHex === put.fileId).slice(-30)
          ])
        )
      )
    assert.deepEqual(await lost(), [], 'with the owner stopped, no shard of the live file was collected')
    for (const n of nodes) {
      assert.ok(
        !n.lines.some((l) => l.collected?.fileIdHex === put.fileId),
        `${n.peerId} collected none of the live file`
      )
    }

    // The file reads back identical from a node that never saw it, the owner still stopped.
    const reader = await createNode({
      dataDir: join(root, 'reader'),
      probationMs: 0,
      workerNum: 1,
      bootstrap: nodes.map((n) => n.addresses[0]!)
    })
    try {
      for (const n of nodes) await reader.peers.connect(n.addresses[0]!)
      const out = join(root, 'back')
      await reader.files.get(put.capability, out)
      assert.equal(sha(await readFile(out)), sha(bytes))
    } finally {
      await reader.stop()
    }
  })
})

describe('a holder unreachable when a file is deleted', () => {
  let root: string
  let owner: DefsNode<{ leases: LeaseService }>
  let nodes: RepairProcess[] = []
  let net: RepairNetwork<{ leases: LeaseService }> | undefined
  before(async () => {
    net = await startLeaseNetwork('defs-lease-rm-', 4)
    ;({ root, owner, nodes } = net)
  })
  after(() => net?.stop())

  it('drops the shards it kept once their lease, no longer renewed, runs out', async () => {
    const source = join(root, 'doomed')
    await writeFile(source, randomBytes(2 * 256 * 1024 - 100))
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const holding = async (n: RepairProcess): Promise<number> =>
      (await shardFiles(n.dir)).get(put.fileId)?.size ?? 0
    const away = (await Promise.all(nodes.map(async (n) => ((await holding(n)) > 0 ? n : undefined)))).find(
      (n) => n !== undefined
    )
    assert.ok(away !== undefined, 'a storage node holds shards of the file')
    const kept = await holding(away)

    // Stopped (not killed): its connections stay, it answers nothing, the delete to it fails.
    away.proc.kill('SIGSTOP')
    try {
      await owner.files.rm(put.fileId)
    } finally {
      away.proc.kill('SIGCONT')
    }
    for (const n of nodes) {
      if (n !== away) assert.equal(await holding(n), 0, `${n.peerId} took the delete`)
    }
    assert.equal(await holding(away), kept, 'the holder that was away still has its shards')

    // Nobody renews them now (the owner deleted the file; what is left is short of k): collected.
    await waitFor(async () => (await holding(away)) === 0, "the away holder's shards collected", LIFETIME * 4)
    const collected = away.lines.flatMap((l) => (l.collected?.fileIdHex === put.fileId ? [l.collected] : []))
    assert.equal(collected.length, kept, 'each shard it kept was collected')
    const status = await away.status()
    assert.equal(status.leases.collected.shards, kept)
    assert.equal(status.leases.held.shards, status.storedShards)
  })
})
