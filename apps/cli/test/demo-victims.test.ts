import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
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
