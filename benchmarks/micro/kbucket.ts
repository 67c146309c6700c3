// @defs/kbucket: closest() on 10k peers (against a full sort, the obvious alternative), add and
// select throughput. Each case checks its output before it is timed.
import assert from 'node:assert/strict'
import { compareDistance, PeerScorer, type RoutingEntry, RoutingTable, seededRandom } from '@defs/kbucket'
import { measure } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'

const PEERS = 10_000
const random = seededRandom(42)

function key(): Uint8Array {
  const k = new Uint8Array(32)
  for (let i = 0; i < 32; i++) k[i] = Math.floor(random() * 256)
  return k
}

const peers = Array.from({ length: PEERS }, (_, i) => ({
  id: `peer-${i}`,
  key: key(),
  address: `10.${(i >> 8) & 255}.${i & 255}.${i % 7}`
}))
const targets = Array.from({ length: 64 }, key)

/** The obvious way: sort every peer by distance. */
function sortAll(entries: RoutingEntry[], target: Uint8Array, n: number): RoutingEntry[] {
  return [...entries].sort((a, b) => compareDistance(a.key, b.key, target)).slice(0, n)
}

function fill(options: ConstructorParameters<typeof RoutingTable>[1]): RoutingTable {
  const table = new RoutingTable(key(), options)
  for (const p of peers) table.add(p)
  return table
}

export async function run(options: { json: boolean; args: string[] }): Promise<void> {
  const report = new Report('kbucket', options.json)
  report.note('figures are medians of 7 samples; other work on this machine (other builds) adds noise')
  const row = (name: string, size: number, n: number, seconds: number, perCall = 1): void => {
    report.add({ case: name, peers: size, n, 'ops/s': perCall / seconds, 'us/op': (seconds / perCall) * 1e6 })
  }

  const flat = fill({ bucketSize: Infinity, maxPeersPerCpl: Infinity, maxPeersPerGroup: Infinity })
  const kademlia = fill({ maxPeersPerGroup: Infinity })
  for (const table of [flat, kademlia]) {
    const all = [...table.peers()]
    for (const t of targets)
      assert.deepEqual(table.closest(t, 20), sortAll(all, t, 20), 'closest() must be exact')
  }
  assert.equal(flat.size, PEERS)
  let i = 0
  const next = (): Uint8Array => targets[i++ & 63]!
  row(
    'closest(key, 20), flat table',
    flat.size,
    20,
    (await measure(() => flat.closest(next(), 20), { bytes: 0 })).seconds
  )
  const everyone = [...flat.peers()]
  row(
    'full sort (reference)',
    flat.size,
    20,
    (await measure(() => sortAll(everyone, next(), 20), { bytes: 0 })).seconds
  )
  row(
    'closest(key, 20), k = 20 table',
    kademlia.size,
    20,
    (await measure(() => kademlia.closest(next(), 20), { bytes: 0 })).seconds
  )

  const addFlat = await measure(
    () => fill({ bucketSize: Infinity, maxPeersPerCpl: Infinity, maxPeersPerGroup: Infinity }),
    {
      bytes: 0,
      samples: 5
    }
  )
  row('add 10k peers, flat table', PEERS, 0, addFlat.seconds, PEERS)
  const addK = await measure(() => fill({}), { bytes: 0, samples: 5 })
  row('add 10k offers, k = 20 + limits', PEERS, 0, addK.seconds, PEERS)

  const scorer = new PeerScorer({ random })
  for (const [j, p] of peers.entries()) {
    scorer.observe(p.id, {
      rttMs: 5 + (j % 300),
      bandwidthBps: 1e6 * (1 + (j % 90)),
      freeBytes: 1e9 * (j % 500)
    })
    scorer.observe(p.id, { heartbeat: j % 17 === 0 ? 'missed' : 'ok', audit: j % 23 === 0 ? 'fail' : 'pass' })
    scorer.observe(p.id, { group: `g${j % 2000}`, region: `r${j % 5}` })
  }
  const chosen = scorer.select(28)
  assert.equal(new Set(chosen.map((id) => scorer.group(id))).size, 28, 'select: 28 peers, 28 groups')
  row(
    'select(28) of 10k scored peers',
    PEERS,
    28,
    (await measure(() => scorer.select(28), { bytes: 0 })).seconds
  )
  let j = 0
  const observe = await measure(
    () => {
      for (let k = 0; k < 1000; k++) scorer.observe(peers[j++ % PEERS]!.id, { rttMs: 20, heartbeat: 'ok' })
    },
    { bytes: 0 }
  )
  row('observe (rtt + heartbeat)', PEERS, 0, observe.seconds, 1000)
  const score = await measure(
    () => {
      for (let k = 0; k < 1000; k++) scorer.score(peers[j++ % PEERS]!.id)
    },
    { bytes: 0 }
  )
  row('score', PEERS, 0, score.seconds, 1000)
  report.printTable(['case', 'peers', 'n', 'ops/s', 'us/op'])
}
