import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { choosePairVictims } from '../src/demo/pairs.ts'
import { placementTable, shardLabels } from '../src/demo/placement-table.ts'
import { chooseVictims, combinations } from '../src/demo/victims.ts'

const nodes = ['node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6'].map((name) => ({
  name,
  peerId: `P${name.slice(-1)}`
}))
const peerOf = (name: string) => nodes.find((n) => n.name === name)!.peerId

/** 4+2 over nodes 2..6, node 2 holding two shards of slice 0. */
const placement = [
  {
    slice: 0,
    shards: [0, 1, 2, 3, 4, 5].map((index) => ({
      index,
      peerId: ['P2', 'P2', 'P3', 'P4', 'P5', 'P6'][index]!
    }))
  },
  {
    slice: 1,
    shards: [0, 1, 2, 3, 4, 5].map((index) => ({
      index,
      peerId: ['P3', 'P4', 'P5', 'P6', 'P2', 'P3'][index]!
    }))
  }
]

describe('chooseVictims', () => {
  it('enumerates combinations', () => {
    assert.deepEqual(
      [...combinations(['a', 'b', 'c'], 2)],
      [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c']
      ]
    )
    assert.deepEqual([...combinations(['a'], 0)], [[]])
  })

  it('keeps every slice at >= k shards and loses as many data shards as it can', () => {
    const choice = chooseVictims(
      placement,
      4,
      2,
      ['node-2', 'node-3', 'node-4', 'node-5', 'node-6'],
      2,
      peerOf
    )
    assert.equal(choice.recoverable, true)
    for (const loss of choice.losses) assert.ok(loss.lost.length <= 2, JSON.stringify(choice))
    // node-2 + node-3 would lose 3 shards of slice 0 and 3 of slice 1: never chosen.
    assert.notDeepEqual(choice.victims, ['node-2', 'node-3'])
    const dataLost = choice.losses.flatMap((l) => l.lost).filter((i) => i < 4).length
    assert.equal(dataLost, 3)
  })

  it('says so when no choice leaves k shards of every slice', () => {
    const choice = chooseVictims(
      placement,
      4,
      1,
      ['node-2', 'node-3', 'node-4', 'node-5', 'node-6'],
      3,
      peerOf
    )
    assert.equal(choice.recoverable, false)
  })

  it('draws a slice x node table of data and parity shards', () => {
    const text = placementTable({ dataShards: 4, placement } as Parameters<typeof placementTable>[0], nodes)
    assert.equal(text.split('\n')[0], 'SLICE  node-1  node-2  node-3  node-4  node-5  node-6')
    assert.match(text.split('\n')[1]!, /^0\s+-\s+d0,d1\s+d2\s+d3\s+p4\s+p5$/)
    assert.equal(shardLabels([1, 4], 4), 'd1 p4')
  })
})

describe('choosePairVictims', () => {
  // pairs (2,3), (4,5), (1,6): node-1 is the one the demo talks to, so (1,6) is never crashed
  const pairs = [
    { a: 'node-2', b: 'node-3' },
    { a: 'node-4', b: 'node-5' },
    { a: 'node-1', b: 'node-6' }
  ]
  /** Slice 0 with 4+2 over the pairs: at most m = 2 on one pair. */
  const paired = [
    {
      slice: 0,
      shards: [0, 1, 2, 3, 4, 5].map((index) => ({
        index,
        peerId: ['P2', 'P4', 'P1', 'P6', 'P3', 'P5'][index]!
      }))
    }
  ]

  it('crashes the whole pair that loses the most data shards, then one node of another pair', () => {
    const choice = choosePairVictims(paired, 4, 2, pairs, 'node-1', 3, peerOf)
    // (2,3) holds d0 and p4; (4,5) holds d1 and p5: a tie in data shards, the first wins
    assert.deepEqual(choice.victims, ['node-2', 'node-3', 'node-5'])
    assert.deepEqual(choice.losses, [{ slice: 0, lost: [0, 4] }])
    assert.equal(choice.recoverable, true)
    assert.deepEqual(choice.widowed, [{ survivor: 'node-4', lost: 'node-5' }])
    // the read misses what the placement names on any victim: node-5's p5 too
    assert.deepEqual(choice.readLosses, [{ slice: 0, lost: [0, 4, 5] }])
  })

  it("never crashes the demo's own node or its partner, and with fewer than two kills keeps every pair", () => {
    for (const count of [0, 1, 2, 3, 4]) {
      const { victims } = choosePairVictims(paired, 4, 2, pairs, 'node-1', count, peerOf)
      assert.ok(!victims.includes('node-1') && !victims.includes('node-6'), `${count}: ${victims}`)
    }
    const one = choosePairVictims(paired, 4, 2, pairs, 'node-1', 1, peerOf)
    assert.deepEqual(one.victims, ['node-3'])
    assert.deepEqual(one.losses, [{ slice: 0, lost: [] }], 'its partner keeps its shards')
  })
})
