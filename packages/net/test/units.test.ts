import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { ByteBudget } from '../src/byte-budget.ts'
import { ClientSlots } from '../src/client-slots.ts'
import { defaultHostLimits, listenAddresses, resolveLimits } from '../src/host-options.ts'
import { PeerBans } from '../src/peer-bans.ts'
import { PeerBudget } from '../src/peer-budget.ts'
import { ReplayGuard } from '../src/replay-guard.ts'
import { RequestRate } from '../src/request-rate.ts'
import { resolveShardLimits } from '../src/shard-limits.ts'

describe('ReplayGuard', () => {
  it('accepts a nonce once, refuses it again, and refuses times outside the window', () => {
    let now = 1_000_000
    const guard = new ReplayGuard({ windowMs: 1000, maxEntries: 2, now: () => now })
    assert.equal(guard.check('a', now), 'ok')
    assert.equal(guard.check('a', now), 'replayed')
    assert.equal(guard.check('b', now - 1001), 'stale')
    assert.equal(guard.check('b', now + 1001), 'stale')
    assert.equal(guard.check('b', now + 500), 'ok')
    assert.equal(guard.check('c', now), 'full', 'refuses rather than forgets')
    now += 2000 // 'a' can no longer pass the time check, so it is forgotten
    assert.equal(guard.check('c', now), 'ok')
    assert.equal(guard.check('a', now - 2000), 'stale')
  })
})

describe('PeerBudget', () => {
  it('bounds streams and bytes per peer and forgets idle peers', () => {
    const budget = new PeerBudget({ maxStreamsPerPeer: 2, maxBytesInFlightPerPeer: 100 })
    assert.equal(budget.openStream('p'), true)
    assert.equal(budget.openStream('p'), true)
    assert.equal(budget.openStream('p'), false)
    assert.equal(budget.openStream('q'), true, 'peers are counted apart')
    assert.equal(budget.reserveBytes('p', 60), true)
    assert.equal(budget.reserveBytes('p', 41), false)
    budget.releaseBytes('p', 60)
    budget.closeStream('p')
    budget.closeStream('p')
    assert.deepEqual(budget.inUse('p'), { streams: 0, bytes: 0 })
  })
})

describe('ClientSlots', () => {
  it('queues requests beyond the stream and byte bounds in order, and lets aborted waiters go', async () => {
    const slots = new ClientSlots(2, 100)
    const a = await slots.acquire('p', 60)
    const b = await slots.acquire('p', 30)
    const order: string[] = []
    const c = slots.acquire('p', 10).then((release) => {
      order.push('c')
      return release
    })
    const controller = new AbortController()
    const d = slots.acquire('p', 1, controller.signal)
    controller.abort(new Error('gave up'))
    await assert.rejects(d, /gave up/)
    assert.deepEqual(order, [])
    a()
    const releaseC = await c
    assert.deepEqual(order, ['c'])
    b()
    releaseC()
    // a request larger than the byte bound still runs, alone
    const big = await slots.acquire('p', 1000)
    big()
  })
})

describe('limits', () => {
  it('derives listen addresses and refuses bad limits', () => {
    assert.deepEqual(listenAddresses({ host: '127.0.0.1', port: 4001 }, ['tcp', 'quic']), [
      '/ip4/127.0.0.1/tcp/4001',
      '/ip4/127.0.0.1/udp/4001/quic-v1'
    ])
    assert.deepEqual(listenAddresses({ listen: [], nat: { relayClient: true } }, ['tcp']), ['/p2p-circuit'])
    assert.equal(resolveLimits({}).maxConnections, defaultHostLimits.maxConnections)
    assert.throws(() => resolveShardLimits({ maxFrameSize: 2 * 1024 * 1024 }), /maxFrameSize must be at most/)
    assert.throws(() => resolveShardLimits({ maxStreamsPerPeer: 0 }), /maxStreamsPerPeer must be a positive/)
  })
})

describe('RequestRate', () => {
  it('allows a burst, then the rate, per peer; take() waits for a token', async () => {
    let now = 0
    const rate = new RequestRate({ perSecond: 10, burst: 3, now: () => now })
    assert.deepEqual(
      [1, 2, 3, 4].map(() => rate.tryTake('p')),
      [true, true, true, false]
    )
    assert.equal(rate.tryTake('q'), true, 'peers are counted apart')
    now += 100 // one token back
    assert.deepEqual([rate.tryTake('p'), rate.tryTake('p')], [true, false])
    now += 10_000
    assert.deepEqual(
      [1, 2, 3, 4].map(() => rate.tryTake('p')),
      [true, true, true, false],
      'never more than the burst'
    )
    const real = new RequestRate({ perSecond: 50, burst: 1 })
    await real.take('p')
    const before = performance.now()
    await real.take('p')
    assert.ok(performance.now() - before > 5, 'the second take waited for its token')
    const controller = new AbortController()
    const waiting = real.take('p', controller.signal)
    controller.abort(new Error('gave up'))
    await assert.rejects(waiting, /gave up/)
    assert.throws(() => new RequestRate({ perSecond: 0, burst: 1 }), /perSecond must be a positive/)
  })
})

describe('PeerBans', () => {
  const peer = peerIdFromString('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
  it('bans for a while, denies at the gater, disconnects, and forgets when the ban ends', async () => {
    let now = 1000
    const bans = new PeerBans({ banMs: 500, now: () => now })
    const cut: string[] = []
    bans.onBan(async (p) => {
      cut.push(p.toString())
    })
    assert.equal(bans.isBanned(peer), false)
    bans.ban(peer, 'too-many-streams: 5 streams')
    assert.deepEqual(cut, [peer.toString()])
    assert.equal(bans.isBanned(peer), true)
    assert.equal(await bans.gater.denyInboundEncryptedConnection!(peer, {} as never), true)
    assert.equal(await bans.gater.denyDialPeer!(peer), true)
    assert.match(bans.list()[0]!.reason, /too-many-streams/)
    now += 501
    assert.equal(bans.isBanned(peer), false)
    assert.deepEqual(bans.list(), [])
  })

  it('keeps at most maxBans, dropping the one nearest its end', () => {
    const bans = new PeerBans({ maxBans: 1 })
    const other = peerIdFromString('12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK')
    bans.ban(peer, 'a')
    bans.ban(other, 'b')
    assert.deepEqual([bans.isBanned(peer), bans.isBanned(other)], [false, true])
  })
})

describe('ByteBudget', () => {
  it('refuses what does not fit and gives back what is released', () => {
    const budget = new ByteBudget(100)
    assert.equal(budget.reserve(60), true)
    assert.equal(budget.reserve(41), false)
    budget.release(60)
    assert.equal(budget.reserve(100), true)
    assert.equal(budget.used, 100)
  })
})
