import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Observation, PeerScorer, seededRandom } from '@defs/kbucket'

const good: Observation = { rttMs: 20, bandwidthBps: 50e6, freeBytes: 500e9, uptimeMs: 7 * 86_400_000 }

/** Peers with the same good history, each in its own group unless `group` is given: an equal tier. */
function addGood(scorer: PeerScorer, ids: string[], group?: (id: string) => string): string[] {
  for (const id of ids) {
    scorer.observe(id, { ...good, group: group?.(id) ?? `g-${id}` })
    for (let i = 0; i < 5; i++) scorer.observe(id, { audit: 'pass', heartbeat: 'ok' })
  }
  return ids
}

const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

describe('PeerScorer.select: the best tier', () => {
  it('keeps a peer with a bad audit record out of the best tier (200 seeds)', () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('p', 9))
    scorer.observe('cheat', { ...good, group: 'g-cheat' })
    for (let i = 0; i < 5; i++) scorer.observe('cheat', { audit: 'fail', heartbeat: 'ok' })
    assert.ok(scorer.score('cheat') < scorer.score('p0') - 0.15, 'far below the tier')
    for (let seed = 0; seed < 200; seed++) {
      const chosen = scorer.select(9, { random: seededRandom(seed) })
      assert.equal(chosen.length, 9)
      assert.ok(!chosen.includes('cheat'), `seed ${seed}`)
    }
    assert.ok(scorer.select(10).includes('cheat'), 'only when nobody else is left')
  })

  it('is random within an equal tier: seeds differ, one seed replays, the CSPRNG varies', () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('p', 20))
    const bySeed = new Set<string>()
    for (let seed = 0; seed < 30; seed++) bySeed.add(scorer.select(3, { random: seededRandom(seed) }).join())
    assert.ok(bySeed.size >= 25, `${bySeed.size} distinct choices of 30`)
    assert.deepEqual(
      scorer.select(3, { random: seededRandom(4) }),
      scorer.select(3, { random: seededRandom(4) })
    )
    const bySecure = new Set<string>()
    for (let i = 0; i < 30; i++) bySecure.add(scorer.select(3).join())
    assert.ok(bySecure.size >= 25, `${bySecure.size} distinct choices of 30 from the default source`)
  })

  it('reaches every member of the tier, roughly evenly (seeded, 3000 draws)', () => {
    const scorer = new PeerScorer({ random: seededRandom(8) })
    const ids = addGood(scorer, names('p', 10))
    const hits = new Map<string, number>()
    for (let i = 0; i < 3000; i++) {
      const [id] = scorer.select(1)
      hits.set(id!, (hits.get(id!) ?? 0) + 1)
    }
    for (const id of ids) assert.ok((hits.get(id) ?? 0) > 200, `${id}: ${hits.get(id)}`)
  })

  it('widens the tier just far enough for n peers', () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('top', 2))
    const mid = names('mid', 3)
    for (const id of mid) scorer.observe(id, { rttMs: 200, group: `g-${id}` })
    scorer.observe('low', { rttMs: 2000, audit: 'fail', group: 'g-low' })
    const seen = new Set<string>()
    for (let seed = 0; seed < 50; seed++) {
      const chosen = scorer.select(4, { random: seededRandom(seed) })
      assert.ok(!chosen.includes('low'), chosen.join())
      for (const id of chosen) seen.add(id)
    }
    assert.deepEqual([...seen].sort(), ['mid0', 'mid1', 'mid2', 'top0', 'top1'], 'random over top and mid')
    for (let seed = 0; seed < 50; seed++) {
      assert.deepEqual(
        scorer.select(2, { random: seededRandom(seed) }).sort(),
        ['top0', 'top1'],
        'no widening needed'
      )
    }
  })

  it('honours exclude and filter, and returns fewer only when fewer are eligible', () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('p', 6))
    const chosen = scorer.select(10, { exclude: ['p0', 'p1'], filter: (id) => id !== 'p5' })
    assert.deepEqual([...chosen].sort(), ['p2', 'p3', 'p4'])
    assert.deepEqual(scorer.select(0), [])
    assert.deepEqual(new PeerScorer().select(3), [])
  })

  it('tierWidth 0 picks among exact ties only', () => {
    const scorer = new PeerScorer({ tierWidth: 0 })
    addGood(scorer, names('p', 4))
    scorer.observe('p3', { heartbeat: 'missed' })
    for (let seed = 0; seed < 30; seed++) {
      assert.ok(!scorer.select(3, { random: seededRandom(seed) }).includes('p3'))
    }
  })
})

describe('PeerScorer.select: diversity', () => {
  it('never takes two of one group while another group remains, even a lower-scored one', () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('a', 6), () => 'A')
    scorer.observe('b', { rttMs: 150, group: 'B' })
    scorer.observe('c', { rttMs: 150, group: 'C' })
    for (let seed = 0; seed < 50; seed++) {
      const chosen = scorer.select(3, { random: seededRandom(seed) })
      assert.deepEqual([...chosen].sort(), [chosen.find((id) => id.startsWith('a'))!, 'b', 'c'].sort())
    }
    const second = scorer.select(5)
    assert.equal(second.filter((id) => id.startsWith('a')).length, 3, 'groups exhausted: A again')
  })

  it("spreads over regions with diversity 'region', and not at all with 'none'", () => {
    const scorer = new PeerScorer()
    addGood(scorer, names('eu', 5), () => 'same-group')
    for (const id of names('eu', 5)) scorer.observe(id, { region: 'eu' })
    scorer.observe('us', { ...good, group: 'g-us', region: 'us' })
    for (let seed = 0; seed < 20; seed++) {
      assert.ok(scorer.select(2, { diversity: 'region', random: seededRandom(seed) }).includes('us'))
    }
    const any = new Set<string>()
    for (let seed = 0; seed < 40; seed++) {
      for (const id of scorer.select(2, { diversity: 'none', random: seededRandom(seed) })) any.add(id)
    }
    assert.ok(any.has('eu0') && any.size >= 5, 'none: peers of one group may be chosen together')
    const twoOfEu = scorer
      .select(2, { diversity: 'none', random: seededRandom(1), exclude: ['us'] })
      .filter((id) => id.startsWith('eu'))
    assert.equal(twoOfEu.length, 2)
  })

  it('holds the group rule on random populations (seeded, 300 cases)', () => {
    const random = seededRandom(77)
    for (let round = 0; round < 300; round++) {
      const scorer = new PeerScorer({ random, tierWidth: random() * 0.2 })
      const count = 1 + Math.floor(random() * 40)
      const groupOf = new Map<string, string | undefined>()
      for (let i = 0; i < count; i++) {
        const id = `p${i}`
        const group = random() < 0.1 ? undefined : `g${Math.floor(random() * 6)}`
        groupOf.set(id, group)
        scorer.observe(id, {
          rttMs: random() * 500,
          group,
          audit: random() < 0.5 ? 'pass' : 'fail',
          freeBytes: random() * 1e12
        })
      }
      const n = Math.floor(random() * 20)
      const chosen = scorer.select(n)
      assert.equal(chosen.length, Math.min(n, count))
      assert.equal(new Set(chosen).size, chosen.length, 'no peer twice')
      const spread = (id: string): string => groupOf.get(id) ?? `own:${id}`
      const all = new Set([...groupOf.keys()].map(spread))
      const used = new Map<string, number>()
      for (const id of chosen) used.set(spread(id), (used.get(spread(id)) ?? 0) + 1)
      if ([...used.values()].some((k) => k > 1))
        assert.equal(used.size, all.size, `round ${round}: a group repeated early`)
      else assert.equal(used.size, Math.min(n, count))
    }
  })
})
