import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compareDistance, keyOf } from '@defs/kbucket'
import { placement } from '../examples/placement.ts'

describe('examples/placement.ts', () => {
  it('finds the two nearest peers and two well-spread, well-behaved targets', async () => {
    for (let run = 0; run < 20; run++) {
      const { nearest, targets } = await placement(() => {})
      assert.equal(nearest.length, 2)
      const shard = await keyOf(new TextEncoder().encode('shard-0'))
      const key = (id: string): Promise<Uint8Array> => keyOf(new TextEncoder().encode(id))
      assert.ok(compareDistance(await key(nearest[0]!), await key(nearest[1]!), shard) < 0)
      assert.equal(targets.length, 2)
      assert.ok(!targets.includes('bob'), 'bob failed his audits')
      assert.ok(!(targets.includes('alice') && targets.includes('dave')), 'one /24')
    }
  })
})
