import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type RoutingEntry, type RoutingPeer, RoutingTable, seededRandom } from '@defs/kbucket'
import { keyAtCpl, randomKey } from './fixtures.ts'

const random = seededRandom(11)
const local = randomKey(random)

function peerAt(cpl: number, id: string, address?: string): RoutingPeer {
  return { id, key: keyAtCpl(local, cpl, random), address }
}

function recordEvents(table: RoutingTable): string[] {
  const log: string[] = []
  table.addEventListener('peer:added', (e) => log.push(`added ${e.detail.id}`))
  table.addEventListener('peer:removed', (e) => log.push(`removed ${e.detail.id}`))
  table.addEventListener('peer:replaced', (e) =>
    log.push(`replaced ${e.detail.removed.id}->${e.detail.added.id}`)
  )
  return log
}

describe('RoutingTable options', () => {
  it('defaults to k = 20, 3 per group per CPL, 6 per group, 20 cached', () => {
    const table = new RoutingTable(local)
    assert.deepEqual(
      [table.bucketSize, table.maxPeersPerCpl, table.maxPeersPerGroup, table.replacementCacheSize],
      [20, 3, 6, 20]
    )
  })

  it('rejects bad options with InvalidArgumentError naming the option and value', () => {
    assert.throws(() => new RoutingTable(local, { bucketSize: 0 }), {
      name: 'InvalidArgumentError',
      message: 'bucketSize must be an integer >= 1 or Infinity, got 0'
    })
    assert.throws(() => new RoutingTable(local, { maxPeersPerCpl: 1.5 }), { name: 'InvalidArgumentError' })
    assert.throws(() => new RoutingTable(local, { maxPeersPerGroup: Number.NaN }), {
      name: 'InvalidArgumentError'
    })
    assert.throws(() => new RoutingTable(local, { replacementCacheSize: Infinity }), {
      message: 'replacementCacheSize must be an integer >= 0, got Infinity'
    })
    assert.throws(() => new RoutingTable(new Uint8Array(16)), { name: 'InvalidKeyError' })
  })
})

describe('RoutingTable add / remove / events', () => {
  it('adds a peer into the bucket of its CPL and emits peer:added', () => {
    const table = new RoutingTable(local, { now: () => 1000 })
    const log = recordEvents(table)
    const result = table.add(peerAt(5, 'a', '203.0.113.1'))
    assert.equal(result.status, 'added')
    const entry = table.get('a')!
    assert.deepEqual(
      { cpl: entry.cpl, group: entry.group, addedAt: entry.addedAt, address: entry.address },
      { cpl: 5, group: 'ip4:203.0.113.0/24', addedAt: 1000, address: '203.0.113.1' }
    )
    assert.deepEqual(
      table.bucket(5).map((e) => e.id),
      ['a']
    )
    assert.deepEqual(log, ['added a'])
    assert.equal(table.size, 1)
    assert.ok(table.has('a'))
  })

  it('refreshes a present peer: lastSeen moves, it becomes most recently seen, no event', () => {
    let now = 0
    const table = new RoutingTable(local, { now: () => now })
    const log = recordEvents(table)
    table.add(peerAt(1, 'a'))
    table.add(peerAt(1, 'b'))
    now = 50
    const again = table.add({ id: 'a', key: table.get('a')!.key, address: '198.51.100.1' })
    assert.equal(again.status, 'updated')
    assert.equal(table.get('a')!.lastSeen, 50)
    assert.equal(table.get('a')!.address, undefined, 'the address stays as first seen')
    assert.deepEqual(
      table.bucket(1).map((e) => e.id),
      ['b', 'a']
    )
    assert.deepEqual(log, ['added a', 'added b'])
  })

  it('rejects its own key', () => {
    const table = new RoutingTable(local)
    assert.deepEqual(table.add({ id: 'me', key: local }), { status: 'rejected', reason: 'self' })
    assert.equal(table.size, 0)
  })

  it('copies keys, so a caller mutating its array cannot move a peer', () => {
    const table = new RoutingTable(local)
    const peer = peerAt(3, 'a')
    table.add(peer)
    peer.key.fill(0)
    assert.equal(table.closest(local, 1)[0]!.cpl, 3)
    assert.notDeepEqual(table.get('a')!.key, peer.key)
  })

  it('rejects a malformed key with InvalidKeyError', () => {
    const table = new RoutingTable(local)
    assert.throws(() => table.add({ id: 'x', key: new Uint8Array(20) }), {
      name: 'InvalidKeyError',
      message: 'peer.key must be a 32-byte Uint8Array, got 20 bytes'
    })
  })

  it('remove emits peer:removed and returns whether the peer was there', () => {
    const table = new RoutingTable(local)
    const log = recordEvents(table)
    table.add(peerAt(2, 'a'))
    assert.equal(table.remove('a'), true)
    assert.equal(table.remove('a'), false)
    assert.deepEqual(log, ['added a', 'removed a'])
    assert.equal(table.size, 0)
  })

  it('typed listeners can be removed', () => {
    const table = new RoutingTable(local)
    const seen: RoutingEntry[] = []
    const listener = (e: CustomEvent<RoutingEntry>): void => {
      seen.push(e.detail)
    }
    table.addEventListener('peer:added', listener)
    table.add(peerAt(2, 'a'))
    table.removeEventListener('peer:added', listener)
    table.add(peerAt(2, 'b'))
    assert.deepEqual(
      seen.map((e) => e.id),
      ['a']
    )
  })
})

describe('RoutingTable full buckets and the replacement cache', () => {
  it('caches a peer for a full bucket and names the least recently seen peer', () => {
    const table = new RoutingTable(local, { bucketSize: 2 })
    table.add(peerAt(0, 'a'))
    table.add(peerAt(0, 'b'))
    const result = table.add(peerAt(0, 'c'))
    assert.equal(result.status, 'cached')
    assert.equal(result.status === 'cached' && result.oldest.id, 'a')
    assert.equal(table.has('c'), false)
    assert.deepEqual(
      table.replacements(0).map((e) => e.id),
      ['c']
    )
  })

  it('promotes the most recently seen candidate when a peer leaves, with events in order', () => {
    const table = new RoutingTable(local, { bucketSize: 2 })
    const log = recordEvents(table)
    table.add(peerAt(0, 'a'))
    table.add(peerAt(0, 'b'))
    const c = peerAt(0, 'c')
    table.add(c)
    table.add(peerAt(0, 'd'))
    table.add(c) // c is now the most recently seen candidate
    table.remove('a')
    assert.deepEqual(log, ['added a', 'added b', 'removed a', 'added c', 'replaced a->c'])
    assert.deepEqual(
      table.bucket(0).map((e) => e.id),
      ['b', 'c']
    )
    assert.deepEqual(
      table.replacements(0).map((e) => e.id),
      ['d']
    )
  })

  it('bounds the replacement cache, dropping the least recently seen candidate', () => {
    const table = new RoutingTable(local, { bucketSize: 1, replacementCacheSize: 2 })
    for (const id of ['a', 'b', 'c', 'd']) table.add(peerAt(7, id))
    assert.deepEqual(
      table.replacements(7).map((e) => e.id),
      ['c', 'd']
    )
    const none = new RoutingTable(local, { bucketSize: 1, replacementCacheSize: 0 })
    none.add(peerAt(7, 'a'))
    assert.equal(none.add(peerAt(7, 'b')).status, 'cached')
    assert.deepEqual(none.replacements(7), [])
  })

  it('remove drops a peer that is only in a replacement cache', () => {
    const table = new RoutingTable(local, { bucketSize: 1 })
    table.add(peerAt(4, 'a'))
    table.add(peerAt(4, 'b'))
    assert.equal(table.remove('b'), false)
    table.remove('a')
    assert.equal(table.size, 0, 'nothing left to promote')
  })

  it('a bucketSize of Infinity keeps every peer', () => {
    const table = new RoutingTable(local, { bucketSize: Infinity })
    for (let i = 0; i < 300; i++) table.add(peerAt(0, `p${i}`))
    assert.equal(table.size, 300)
  })
})

describe('RoutingTable eclipse limits', () => {
  it('maxPeersPerCpl: at most 3 peers of one group in one bucket', () => {
    const table = new RoutingTable(local)
    for (let i = 0; i < 3; i++) assert.equal(table.add(peerAt(9, `a${i}`, `203.0.113.${i}`)).status, 'added')
    assert.deepEqual(table.add(peerAt(9, 'a3', '203.0.113.77')), {
      status: 'rejected',
      reason: 'cpl-group-limit'
    })
    assert.equal(table.add(peerAt(9, 'b0', '198.51.100.1')).status, 'added', 'another group is welcome')
    assert.equal(table.add(peerAt(10, 'a4', '203.0.113.78')).status, 'added', 'so is another CPL')
  })

  it('maxPeersPerGroup: at most 6 peers of one group in the table', () => {
    const table = new RoutingTable(local)
    for (let i = 0; i < 6; i++) assert.equal(table.add(peerAt(i, `a${i}`, '2001:db8:5::1')).status, 'added')
    assert.deepEqual(table.add(peerAt(6, 'a6', '2001:db8:5:ffff::2')), {
      status: 'rejected',
      reason: 'group-limit'
    })
    table.remove('a0')
    assert.equal(
      table.add(peerAt(6, 'a6', '2001:db8:5:ffff::2')).status,
      'added',
      'room again after a remove'
    )
  })

  it('does not cache a peer the limits refuse, even for a full bucket', () => {
    const table = new RoutingTable(local, { bucketSize: 2, maxPeersPerCpl: 1 })
    table.add(peerAt(0, 'a', '203.0.113.1'))
    table.add(peerAt(0, 'b', '198.51.100.1'))
    assert.equal(table.add(peerAt(0, 'c', '203.0.113.2')).status, 'rejected')
    assert.deepEqual(table.replacements(0), [])
  })

  it('skips cached candidates the limits would refuse when promoting', () => {
    const table = new RoutingTable(local, { bucketSize: 1, maxPeersPerGroup: 1 })
    table.add(peerAt(0, 'a', '203.0.113.1'))
    table.add(peerAt(0, 'x', '198.51.100.1')) // cached
    table.add(peerAt(3, 'y', '198.51.100.2')) // takes group 198.51.100 in another bucket
    table.remove('a')
    assert.equal(table.size, 1, 'x may not join: its group is full')
    assert.deepEqual(
      table.replacements(0).map((e) => e.id),
      ['x']
    )
  })

  it('loopback and address-less peers are groups of their own', () => {
    const table = new RoutingTable(local, { maxPeersPerCpl: 1, maxPeersPerGroup: 1 })
    for (let i = 0; i < 5; i++) assert.equal(table.add(peerAt(0, `l${i}`, '127.0.0.1')).status, 'added')
    for (let i = 0; i < 5; i++) assert.equal(table.add(peerAt(0, `n${i}`)).status, 'added')
  })

  it('Infinity turns the limits off; networkGroup overrides the grouping', () => {
    const off = new RoutingTable(local, { maxPeersPerCpl: Infinity, maxPeersPerGroup: Infinity })
    for (let i = 0; i < 15; i++) assert.equal(off.add(peerAt(0, `a${i}`, '203.0.113.1')).status, 'added')
    const byRegion = new RoutingTable(local, { maxPeersPerGroup: 2, networkGroup: (p) => p.id.slice(0, 2) })
    assert.equal(byRegion.add(peerAt(1, 'eu1', '127.0.0.1')).status, 'added')
    assert.equal(byRegion.add(peerAt(2, 'eu2', '127.0.0.1')).status, 'added')
    assert.deepEqual(byRegion.add(peerAt(3, 'eu3', '127.0.0.1')), {
      status: 'rejected',
      reason: 'group-limit'
    })
    assert.equal(byRegion.get('eu1')!.group, 'eu')
  })
})

describe('RoutingTable.closest basics', () => {
  it('returns [] for n = 0, everything sorted for n beyond the size', () => {
    const table = new RoutingTable(local)
    for (let cpl = 0; cpl < 8; cpl++) table.add(peerAt(cpl, `p${cpl}`))
    assert.deepEqual(table.closest(local, 0), [])
    assert.deepEqual(
      table.closest(local, 100).map((e) => e.cpl),
      [7, 6, 5, 4, 3, 2, 1, 0]
    )
    assert.throws(() => table.closest(local, -1), {
      name: 'InvalidArgumentError',
      message: 'n must be an integer >= 0 or Infinity, got -1'
    })
    assert.throws(() => table.closest(new Uint8Array(3), 1), { name: 'InvalidKeyError' })
  })

  it('peers() walks every bucket', () => {
    const table = new RoutingTable(local)
    for (let cpl = 0; cpl < 8; cpl++) table.add(peerAt(7 - cpl, `p${cpl}`))
    assert.deepEqual(
      [...table.peers()].map((e) => e.cpl),
      [0, 1, 2, 3, 4, 5, 6, 7]
    )
    assert.throws(() => table.bucket(-1), { name: 'InvalidArgumentError' })
  })
})
