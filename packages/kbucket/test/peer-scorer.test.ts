import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_WEIGHTS, type Observation, PeerScorer, seededRandom } from '@defs/kbucket'

const HOUR = 3_600_000
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0
  return { now: () => t, advance: (ms) => (t += ms) }
}

describe('PeerScorer.score', () => {
  it('gives an unknown or unobserved peer the neutral 0.5', () => {
    const scorer = new PeerScorer()
    assert.equal(scorer.score('nobody'), 0.5)
    scorer.observe('quiet', {})
    assert.equal(scorer.score('quiet'), 0.5)
    assert.equal(scorer.size, 1)
  })

  it('blends each factor with the prior: one failed audit gives 0.25, one pass 0.75', () => {
    // A fixed clock: with Date.now a millisecond between observe and read decays the value a little.
    const scorer = new PeerScorer({ now: clock().now })
    scorer.observe('bad', { audit: 'fail' })
    scorer.observe('ok', { audit: 'pass' })
    assert.equal(scorer.factors('bad').audit, 0.25)
    assert.equal(scorer.factors('ok').audit, 0.75)
  })

  it('maps measurements by their references (latency 100 ms, bandwidth 100 Mbit/s ... give 0.5)', () => {
    const scorer = new PeerScorer({ priorWeight: 1e-9 })
    scorer.observe('x', {
      rttMs: 100,
      bandwidthBps: 12_500_000,
      freeBytes: 100e9,
      uptimeMs: 24 * HOUR,
      heartbeat: 'ok'
    })
    const f = scorer.factors('x')
    for (const value of [f.latency, f.bandwidth, f.capacity]) assert.ok(Math.abs(value - 0.5) < 1e-6)
    assert.ok(Math.abs(f.stability - (2 * 1 + 0.5) / 3) < 1e-6, 'stability = (2 heartbeat + uptime) / 3')
  })

  it('is the weighted mean of the factors, with weights as options', () => {
    const scorer = new PeerScorer({
      weights: { latency: 1, bandwidth: 0, capacity: 0, stability: 0, audit: 0, diversity: 0 },
      now: clock().now
    })
    scorer.observe('x', { rttMs: 300, audit: 'fail' })
    assert.equal(scorer.score('x'), scorer.factors('x').latency)
    assert.deepEqual(new PeerScorer().weights, DEFAULT_WEIGHTS)
  })

  it('ranks each factor the right way round', () => {
    const pairs: [Observation, Observation][] = [
      [{ rttMs: 10 }, { rttMs: 400 }],
      [{ bandwidthBps: 1e8 }, { bandwidthBps: 1e5 }],
      [{ freeBytes: 1e12 }, { freeBytes: 1e9 }],
      [{ uptimeMs: 30 * 24 * HOUR }, { uptimeMs: 60_000 }],
      [{ heartbeat: 'ok' }, { heartbeat: 'missed' }],
      [{ audit: 'pass' }, { audit: 'fail' }]
    ]
    for (const [better, worse] of pairs) {
      const scorer = new PeerScorer()
      scorer.observe('better', better)
      scorer.observe('worse', worse)
      assert.ok(scorer.score('better') > scorer.score('worse'), JSON.stringify(better))
    }
  })

  it('averages repeated measurements', () => {
    const scorer = new PeerScorer({ priorWeight: 1e-9 })
    scorer.observe('x', { rttMs: 50 })
    scorer.observe('x', { rttMs: 150 })
    assert.ok(Math.abs(scorer.factors('x').latency - 0.5) < 1e-6, 'mean RTT 100 ms')
    scorer.observe('x', { freeBytes: 1e12 })
    scorer.observe('x', { freeBytes: 100e9 })
    assert.ok(Math.abs(scorer.factors('x').capacity - 0.5) < 1e-6, 'capacity is the latest advertisement')
  })

  it('freeBytes is the latest advertisement while it is fresh (one half-life), then undefined', () => {
    const c = clock()
    const scorer = new PeerScorer({ halfLifeMs: HOUR, now: c.now })
    assert.equal(scorer.freeBytes('x'), undefined, 'an unknown peer')
    scorer.observe('x', { rttMs: 20 })
    assert.equal(scorer.freeBytes('x'), undefined, 'a peer that never advertised')
    scorer.observe('x', { freeBytes: 5e9 })
    scorer.observe('x', { freeBytes: 0 })
    c.advance(HOUR / 2)
    scorer.observe('x', { rttMs: 30 })
    assert.equal(scorer.freeBytes('x'), 0, 'the latest, other samples since')
    assert.ok(scorer.factors('x').capacity < 0.5, 'a full peer scores below the prior on capacity')
    c.advance(HOUR / 2 + 1)
    assert.equal(scorer.freeBytes('x'), undefined, 'older than a half-life')
    scorer.observe('x', { freeBytes: 3e9 })
    assert.equal(scorer.freeBytes('x'), 3e9)
  })

  it('decays evidence with the half-life, back toward the prior', () => {
    const c = clock()
    const scorer = new PeerScorer({ halfLifeMs: HOUR, now: c.now })
    scorer.observe('x', { audit: 'fail' })
    assert.equal(scorer.factors('x').audit, 0.25)
    c.advance(HOUR)
    assert.ok(Math.abs(scorer.factors('x').audit - 0.5 / 1.5) < 1e-12, 'weight 1 -> 0.5 after one half-life')
    c.advance(30 * HOUR)
    assert.ok(Math.abs(scorer.factors('x').audit - 0.5) < 1e-6)
    scorer.observe('x', { audit: 'pass' })
    assert.ok(scorer.factors('x').audit > 0.74, 'the old failure no longer counts')
  })

  it('scores crowded groups lower on diversity; a region shared by all scores lower too', () => {
    const scorer = new PeerScorer()
    for (const id of ['a1', 'a2', 'a3']) scorer.observe(id, { group: 'A', region: 'eu' })
    scorer.observe('b', { group: 'B', region: 'us' })
    assert.equal(scorer.factors('b').diversity, 1)
    assert.ok(Math.abs(scorer.factors('a1').diversity - (1 / 3 + (1 - 2 / 3)) / 2) < 1e-12)
    scorer.observe('a3', { group: 'C' })
    assert.equal(scorer.group('a3'), 'C')
    assert.ok(scorer.factors('a1').diversity > (1 / 3 + 1 / 3) / 2, 'group A shrank to two')
  })

  it('stays in [0, 1] under random observations (seeded, 2000)', () => {
    const random = seededRandom(5)
    const c = clock()
    const scorer = new PeerScorer({ now: c.now })
    for (let i = 0; i < 2000; i++) {
      const id = `p${Math.floor(random() * 50)}`
      scorer.observe(id, {
        rttMs: random() < 0.5 ? random() * 2000 : undefined,
        bandwidthBps: random() < 0.5 ? random() * 1e9 : undefined,
        freeBytes: random() < 0.3 ? random() * 1e13 : undefined,
        heartbeat: random() < 0.5 ? (random() < 0.8 ? 'ok' : 'missed') : undefined,
        audit: random() < 0.3 ? (random() < 0.5 ? 'pass' : 'fail') : undefined,
        group: random() < 0.2 ? `g${Math.floor(random() * 5)}` : undefined,
        region: random() < 0.1 ? `r${Math.floor(random() * 3)}` : undefined
      })
      c.advance(random() * 60_000)
      const s = scorer.score(id)
      assert.ok(s >= 0 && s <= 1, `score ${s}`)
      for (const value of Object.values(scorer.factors(id))) assert.ok(value >= 0 && value <= 1)
    }
  })
})

describe('PeerScorer bookkeeping', () => {
  it('forgets the least recently observed peer beyond maxPeers', () => {
    const scorer = new PeerScorer({ maxPeers: 2 })
    scorer.observe('a', { group: 'G' })
    scorer.observe('b', { group: 'G' })
    scorer.observe('a', { rttMs: 5 })
    scorer.observe('c', {})
    assert.deepEqual([...scorer.peers()], ['a', 'c'])
    assert.equal(scorer.factors('a').diversity, 1, 'b left group G')
  })

  it('remove forgets a peer', () => {
    const scorer = new PeerScorer()
    scorer.observe('a', { audit: 'fail', group: 'G' })
    assert.equal(scorer.remove('a'), true)
    assert.equal(scorer.remove('a'), false)
    assert.equal(scorer.has('a'), false)
    assert.equal(scorer.score('a'), 0.5)
    assert.equal(scorer.group('a'), undefined)
  })

  it('rejects bad options and observations with InvalidArgumentError', () => {
    const scorer = new PeerScorer()
    assert.throws(() => scorer.observe('a', { rttMs: -1 }), {
      name: 'InvalidArgumentError',
      message: 'rttMs must be a finite number >= 0, got -1'
    })
    assert.throws(() => scorer.observe('a', { freeBytes: Number.NaN }), { name: 'InvalidArgumentError' })
    assert.throws(() => scorer.observe('a', { audit: 'maybe' as 'pass' }), {
      message: 'audit must be one of pass, fail, got maybe'
    })
    assert.equal(scorer.has('a'), false, 'a rejected observation records nothing')
    assert.throws(() => new PeerScorer({ halfLifeMs: 0 }), {
      message: 'halfLifeMs must be a finite number > 0, got 0'
    })
    assert.throws(() => new PeerScorer({ weights: { audit: -1 } }), {
      message: 'weights.audit must be a finite number >= 0, got -1'
    })
    const zero = { latency: 0, bandwidth: 0, capacity: 0, stability: 0, audit: 0, diversity: 0 }
    assert.throws(() => new PeerScorer({ weights: zero }), { name: 'InvalidArgumentError' })
    assert.throws(() => new PeerScorer({ references: { rttMs: 0 } }), { name: 'InvalidArgumentError' })
    assert.throws(() => scorer.select(-1), { message: 'n must be an integer >= 0, got -1' })
    assert.throws(() => scorer.select(1, { diversity: 'asn' as 'group' }), { name: 'InvalidArgumentError' })
  })
})

describe('PeerScorer snapshots', () => {
  it('restore gives a new scorer the same factors, fading on from the time of the snapshot', () => {
    const c = clock()
    const before = new PeerScorer({ now: c.now })
    before.observe('a', { rttMs: 40, audit: 'fail', heartbeat: 'ok', group: 'g1', region: 'eu' })
    before.observe('b', { bandwidthBps: 5e6, freeBytes: 1e9, uptimeMs: HOUR, group: 'g1' })
    c.advance(HOUR)
    // Through JSON, as a node keeps it.
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()))
    const after = new PeerScorer({ now: c.now })
    assert.equal(after.restore(snapshot), 2)
    for (const id of ['a', 'b']) assert.deepEqual(after.factors(id), before.factors(id))
    assert.equal(after.group('a'), 'g1')
    assert.equal(after.region('a'), 'eu')
    assert.ok(after.factors('a').audit < 0.5, 'the failed audit is remembered')
    c.advance(10 * HOUR)
    assert.ok(Math.abs(after.factors('a').audit - 0.5) < 0.01, 'and fades as it would have')
    assert.deepEqual([...after.peers()], ['a', 'b'], 'least recently observed first, as before')
  })

  it('keeps what a peer observed since start has, and leaves out peers never observed', () => {
    const old = new PeerScorer()
    old.observe('a', { audit: 'fail' })
    const fresh = new PeerScorer()
    fresh.observe('a', { audit: 'pass' })
    assert.equal(fresh.restore(old.snapshot()), 0)
    assert.ok(fresh.factors('a').audit > 0.5)
    const quiet = new PeerScorer()
    quiet.observe('seen-only', {})
    assert.deepEqual(quiet.snapshot().peers, [])
  })

  it('refuses a damaged snapshot whole, naming what is wrong, and takes nothing from it', () => {
    const scorer = new PeerScorer({ maxPeers: 2 })
    const good = { id: 'a', at: 0, sums: [0, 0, 0, 1, 0, 0], weights: [0, 0, 0, 1, 0, 0] }
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ version: 2, peers: [] }, /version 2/],
      [{ version: 1, peers: [good, { ...good, id: 'b' }, { ...good, id: 'c' }] }, /3 peers, at most 2/],
      [{ version: 1, peers: [good, { ...good, id: 'b', sums: [1] }] }, /peer b: sums must be 6/],
      [{ version: 1, peers: [{ ...good, weights: [0, 0, 0, -1, 0, 0] }] }, /weights must be 6 finite/],
      [{ version: 1, peers: [{ ...good, at: null }] }, /at must be a finite time/],
      [{ version: 1, peers: [{ ...good, id: '' }] }, /no valid id/],
      [{ version: 1, peers: [{ ...good, group: 7 }] }, /group must be a string/]
    ]
    for (const [snapshot, message] of cases) {
      assert.throws(
        () => scorer.restore(snapshot as never),
        (err: Error) => err.name === 'InvalidArgumentError' && message.test(err.message)
      )
    }
    assert.equal(scorer.size, 0)
  })
})
