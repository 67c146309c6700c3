// Random tables and operation sequences from a seeded PRNG: closest() must equal brute force, and
// the limits must hold after every operation.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  commonPrefixLength,
  KEY_BITS,
  RoutingTable,
  type RoutingTableOptions,
  seededRandom
} from '@defs/kbucket'
import { bruteClosest, keyAtCpl, randomKey } from './fixtures.ts'

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!

/** Keys spread over low CPLs (uniform) and deep ones (near the local key), as a live table sees. */
function someKey(random: Random, local: Uint8Array): Uint8Array {
  return random() < 0.5 ? randomKey(random) : keyAtCpl(local, Math.floor(random() * 40), random)
}

function randomOptions(random: Random): RoutingTableOptions {
  return {
    bucketSize: pick(random, [1, 2, 3, 5, 20, Infinity]),
    maxPeersPerCpl: pick(random, [1, 2, 3, Infinity]),
    maxPeersPerGroup: pick(random, [1, 3, 6, Infinity]),
    replacementCacheSize: pick(random, [0, 1, 4, 20])
  }
}

function randomAddress(random: Random): string | undefined {
  const r = random()
  if (r < 0.15) return undefined
  if (r < 0.25) return '127.0.0.1'
  if (r < 0.7) return `203.0.${Math.floor(random() * 6)}.${Math.floor(random() * 256)}`
  return `2001:db8:${Math.floor(random() * 4).toString(16)}::${Math.floor(random() * 999)}`
}

describe('closest() against brute force (seeded, 80 random tables)', () => {
  it('returns exactly the n nearest, nearest first', () => {
    const random = seededRandom(2024)
    for (let round = 0; round < 80; round++) {
      const local = randomKey(random)
      const table = new RoutingTable(local, randomOptions(random))
      const count = Math.floor(random() * 600)
      for (let i = 0; i < count; i++)
        table.add({ id: `p${i}`, key: someKey(random, local), address: randomAddress(random) })
      const members = [...table.peers()]
      const targets = [local, randomKey(random), someKey(random, local), keyAtCpl(local, 0, random)]
      if (members.length > 0) targets.push(pick(random, members).key)
      for (const target of targets) {
        for (const n of [
          1,
          3,
          20,
          Math.floor(random() * (members.length + 3)),
          members.length + 5,
          Infinity
        ]) {
          const got = table.closest(target, n).map((e) => e.id)
          assert.deepEqual(got, bruteClosest(members, target, n), `round ${round}, n ${n}`)
        }
      }
    }
  })
})

describe('limits always hold (seeded, 40 runs of 1500 random operations)', () => {
  it('bucket size, per-CPL group, per-table group, cache size and event bookkeeping', () => {
    const random = seededRandom(99)
    const outcomes = new Map<string, number>()
    const note = (what: string): void => {
      outcomes.set(what, (outcomes.get(what) ?? 0) + 1)
    }
    for (let run = 0; run < 40; run++) {
      const local = randomKey(random)
      const options = randomOptions(random)
      const table = new RoutingTable(local, options)
      const viaEvents = new Set<string>()
      table.addEventListener('peer:added', (e) => {
        assert.ok(!viaEvents.has(e.detail.id), 'added twice')
        viaEvents.add(e.detail.id)
      })
      table.addEventListener('peer:removed', (e) =>
        assert.ok(viaEvents.delete(e.detail.id), 'removed unknown')
      )
      table.addEventListener('peer:replaced', () => note('replaced'))
      const known: { id: string; key: Uint8Array; address: string | undefined }[] = []
      for (let op = 0; op < 1500; op++) {
        const r = random()
        if (r < 0.6 || known.length === 0) {
          const peer = { id: `p${known.length}`, key: someKey(random, local), address: randomAddress(random) }
          known.push(peer)
          const result = table.add(peer)
          note(result.status === 'rejected' ? result.reason : result.status)
        } else if (r < 0.8) {
          table.add(pick(random, known))
        } else {
          table.remove(pick(random, known).id)
        }
        if (op % 50 === 49) checkInvariants(table, options, viaEvents, local)
      }
      checkInvariants(table, options, viaEvents, local)
    }
    // The runs must have exercised every path, or the invariants prove little.
    for (const what of ['added', 'cached', 'group-limit', 'cpl-group-limit', 'replaced']) {
      assert.ok((outcomes.get(what) ?? 0) > 10, `${what}: ${outcomes.get(what)}`)
    }
  })
})

function checkInvariants(
  table: RoutingTable,
  options: RoutingTableOptions,
  viaEvents: Set<string>,
  local: Uint8Array
): void {
  const perGroup = new Map<string, number>()
  const perCplGroup = new Map<string, number>()
  let total = 0
  for (let cpl = 0; cpl < KEY_BITS; cpl++) {
    const bucket = table.bucket(cpl)
    assert.ok(bucket.length <= options.bucketSize!, `bucket ${cpl} holds ${bucket.length}`)
    assert.ok(table.replacements(cpl).length <= options.replacementCacheSize!)
    for (const entry of bucket) {
      total++
      assert.equal(entry.cpl, cpl)
      assert.equal(commonPrefixLength(local, entry.key), cpl)
      if (entry.group === undefined) continue
      perGroup.set(entry.group, (perGroup.get(entry.group) ?? 0) + 1)
      const key = `${cpl} ${entry.group}`
      perCplGroup.set(key, (perCplGroup.get(key) ?? 0) + 1)
    }
    for (const cached of table.replacements(cpl)) assert.ok(!table.has(cached.id), 'cached and present')
  }
  for (const [group, n] of perGroup) assert.ok(n <= options.maxPeersPerGroup!, `${group}: ${n} peers`)
  for (const [key, n] of perCplGroup) assert.ok(n <= options.maxPeersPerCpl!, `${key}: ${n} peers`)
  assert.equal(total, table.size)
  assert.deepEqual(new Set([...table.peers()].map((e) => e.id)), viaEvents)
}
