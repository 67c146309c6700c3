// A partition between the two partners of a pair only, for 2 minutes, on six paired daemons
// (pairing on, the default 30 s failure timeout): both partners still reach every other host, so
// the witnesses each asks before failing the other say they reach it, and nothing is failed over.
// Uploads made during the partition are acknowledged with 1 copy for the shards that pair holds
// (2 for every other shard), no migrate task starts and no epoch changes; after healing, the
// pair's sync puts every one of those shards on both partners (read on disk), `defs check` shows
// every slice over the three pairs, m = 2 on each, and the ledger reads every upload back.
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createTestbed, type PutRecord, type Testbed, type TestbedHost, testbedSkip } from '../src/index.ts'
import { scratch } from './fixtures.ts'

/** The default (written out, so the test knows it): the witness rule decides four times in 2 min. */
const pairFailureTimeout = 30_000
const partitionMs = 120_000
const KiB = 1024

interface PairReport {
  enabled: boolean
  partner?: string
  epoch: number
  health: string
  silenceMs?: number
  backlog: { shards: number; bytes: number }
}

interface Task {
  id: string
  kind: string
  params: { partner?: string; epoch?: number }
}

/** The host's pair and its tasks, in one call into its namespace. */
async function pairAndTasks(h: TestbedHost): Promise<{ pair: PairReport; tasks: Task[] }> {
  const [pair, tasks] = await h.api([
    { method: 'GET', path: '/v1/pair' },
    { method: 'GET', path: '/v1/tasks' }
  ])
  return { pair: pair as PairReport, tasks: (tasks as { tasks: Task[] }).tasks }
}

/** Waits (bounded by count and time) until `check` holds; the message says what did not happen. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (let i = 0; i < 10_000; i++) {
    if (await check()) return
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
}

/** The shard files `h` holds of `fileId`, from its directory (a shard's `.claims` file is not one). */
async function shardFiles(h: TestbedHost, fileId: string): Promise<string[]> {
  const names = await readdir(join(h.dir, 'shards', fileId)).catch(() => [] as string[])
  return names.filter((n) => !n.endsWith('.claims')).sort()
}

describe('testbed pairs: a partition between two partners only', {
  skip: testbedSkip(),
  timeout: 480_000
}, () => {
  let tb: Testbed
  let files: Awaited<ReturnType<typeof scratch>>
  before(async () => {
    files = await scratch()
    tb = await createTestbed({
      hosts: 6,
      node: { storageMode: 'rs-proportion', dataShards: 4, parityShards: 2, pairFailureTimeout },
      pairing: true
    })
  })
  after(async () => {
    await tb?.teardown()
    await files?.remove()
  })

  it('fails no partner over, acknowledges 1 copy for the pair during it, and converges after healing', async (t) => {
    // three mutual pairs, formed by the daemons themselves
    const partnerOf = new Map<string, string>()
    await until(
      async () => {
        for (const h of tb.hosts) {
          const { pair } = await pairAndTasks(h)
          if (pair.partner !== undefined) partnerOf.set(h.peerId!, pair.partner)
          else partnerOf.delete(h.peerId!)
        }
        return tb.hosts.every((h) => partnerOf.get(partnerOf.get(h.peerId!) ?? '') === h.peerId)
      },
      'six hosts in three mutual pairs',
      90_000
    )
    const byPeer = (id: string) => tb.hosts.find((h) => h.peerId === id)!
    // the uploader's pair stays whole; the partition cuts another pair
    const uploader = tb.host(1)
    const a = tb.hosts.find((h) => h !== uploader && h.peerId !== partnerOf.get(uploader.peerId!))!
    const b = byPeer(partnerOf.get(a.peerId!)!)
    const pairOfAB = new Set([a.peerId!, b.peerId!])
    const before = await Promise.all([a, b].map(pairAndTasks))
    const epoch = before[0]!.pair.epoch
    assert.ok(epoch >= 1)
    assert.equal(before[1]!.pair.epoch, epoch, 'both partners sign the same record')
    const migrationsBefore = new Set(
      before.flatMap((s) => s.tasks.filter((t) => t.kind === 'migrate').map((t) => t.id))
    )

    const start = Date.now()
    await tb.partition(a, b)
    // a shard put to a partner that has not noticed yet waits for the forward to time out: the
    // uploads start once both suspect the other
    await until(
      async () => (await Promise.all([a, b].map(pairAndTasks))).every((s) => s.pair.health !== 'alive'),
      'both partners suspect each other',
      30_000
    )

    const puts: PutRecord[] = []
    const healths = new Set<string>()
    let longestSilence = 0
    // uploads at the start, past one failure timeout and past two (the witnesses asked each time)
    const uploadsAt = [0, pairFailureTimeout + 5_000, 2 * pairFailureTimeout + 20_000]
    for (let poll = 0; Date.now() - start < partitionMs && poll < 1000; poll++) {
      if (uploadsAt.length > 0 && Date.now() - start >= uploadsAt[0]!) {
        uploadsAt.shift()
        puts.push(await tb.put(uploader, await files.file(`p${puts.length}.bin`, 300 * KiB + puts.length)))
      }
      for (const [h, other] of [
        [a, b],
        [b, a]
      ] as const) {
        const { pair, tasks } = await pairAndTasks(h)
        healths.add(pair.health)
        longestSilence = Math.max(longestSilence, pair.silenceMs ?? 0)
        assert.equal(pair.partner, other.peerId, `${h.name} keeps its partner ${other.name}`)
        assert.equal(pair.epoch, epoch, `${h.name} keeps epoch ${epoch}`)
        const started = tasks.filter((t) => t.kind === 'migrate' && !migrationsBefore.has(t.id))
        assert.deepEqual(started, [], `${h.name} starts no migration during the partition`)
      }
      await new Promise((r) => setTimeout(r, 2000))
    }
    assert.equal(puts.length, 3, 'three uploads during the partition')
    assert.ok(
      longestSilence > pairFailureTimeout,
      `a partner was silent beyond the failure timeout (${longestSilence} ms), so the witness rule held it`
    )
    assert.ok(!healths.has('failed') && !healths.has('unpaired'), `healths seen: ${[...healths]}`)

    // every acknowledgement in the ledger: 1 copy from the cut pair, 2 from the others
    const held = new Map<string, number>()
    for (const e of tb.ledger.entries) {
      assert.equal(e.acks.length, 6, `${e.fileId}: 4 + 2 shards acknowledged`)
      for (const ack of e.acks) {
        const cut = pairOfAB.has(ack.peerId)
        assert.equal(
          ack.copies,
          cut ? 1 : 2,
          `${e.fileId} slice ${ack.slice} shard ${ack.index} on ${byPeer(ack.peerId).name}`
        )
        if (cut) held.set(e.fileId, (held.get(e.fileId) ?? 0) + 1)
      }
      assert.equal(held.get(e.fileId), 2, `${e.fileId}: the cut pair holds m = 2 of its 6 shards`)
    }

    // on disk too: each of those shards on one partner only while the partition lasts
    for (const [fileId, count] of held) {
      const [onA, onB] = await Promise.all([shardFiles(a, fileId), shardFiles(b, fileId)])
      assert.equal(new Set([...onA, ...onB]).size, count, `${fileId}: the pair holds ${count} of its shards`)
      assert.equal(onA.length + onB.length, count, `${fileId}: none on both partners before healing`)
    }
    // and in the partners' sync backlogs: each counts the shards it took alone
    const backlogs = await Promise.all([a, b].map(async (h) => (await pairAndTasks(h)).pair.backlog.shards))
    assert.equal(
      backlogs[0]! + backlogs[1]!,
      [...held.values()].reduce((n, c) => n + c, 0),
      `backlogs ${backlogs.join(' + ')}: every shard the cut pair took alone`
    )

    await tb.heal(a, b)
    const healed = Date.now()
    // the pair's sync: each shard the cut pair took, on both partners' disks
    await until(
      async () => {
        for (const [fileId, count] of held) {
          const [onA, onB] = await Promise.all([shardFiles(a, fileId), shardFiles(b, fileId)])
          if (onA.length !== count || onB.join() !== onA.join()) return false
        }
        return true
      },
      'every shard of the cut pair on both partners after healing',
      90_000
    )
    await until(
      async () => (await Promise.all([a, b].map(pairAndTasks))).every((s) => s.pair.backlog.shards === 0),
      "both partners' sync backlogs empty after healing",
      60_000
    )
    t.diagnostic(
      `pair ${a.name}+${b.name} cut ${partitionMs / 1000} s: healths ${[...healths].join(',')}, longest silence ${longestSilence} ms, ${[...held.values()].reduce((n, c) => n + c, 0)} shards on 1 copy, on both partners ${Date.now() - healed} ms after healing`
    )
    // still the same pair: whatever the sync moved, it moved within the epoch
    for (const [h, other] of [
      [a, b],
      [b, a]
    ] as const) {
      const { pair, tasks } = await pairAndTasks(h)
      assert.equal(pair.partner, other.peerId)
      assert.equal(pair.epoch, epoch)
      for (const task of tasks.filter((x) => x.kind === 'migrate' && !migrationsBefore.has(x.id)))
        assert.deepEqual(
          [task.params.partner, task.params.epoch],
          [other.peerId, epoch],
          `${h.name}: a sync, not a failover`
        )
    }
    // and `defs check` sees every slice spread over the three pairs, the healed one among them
    const abKey = [...pairOfAB].sort().join()
    for (const e of tb.ledger.entries) {
      const out = await uploader.cli(['check', e.fileId, '--json'])
      assert.equal(out.code, 0, out.stderr)
      const health = JSON.parse(out.stdout) as {
        slices: { live: number; pairs: { peers: string[]; count: number; overBound: boolean }[] }[]
      }
      for (const slice of health.slices) {
        assert.equal(slice.live, 6)
        assert.deepEqual(
          slice.pairs.map((p) => [p.count, p.overBound]),
          [
            [2, false],
            [2, false],
            [2, false]
          ],
          JSON.stringify(slice.pairs)
        )
        assert.ok(slice.pairs.some((p) => p.peers.join() === abKey))
      }
    }
    assert.deepEqual(await tb.ledger.verify(tb.hosts), {
      checked: 3,
      bytes: puts.reduce((n, p) => n + p.size, 0)
    })
  })
})
