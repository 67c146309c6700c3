// Requests per second: a stranger that floods the holder with requests is banned after its burst;
// the honest client paces itself below the holder's rate and is never taken for a flood.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { randomBytes } from '@defs/crypto'
import { waitFor } from '../network.ts'
import { Stage } from './stage.ts'

describe('attack: a flood of requests', () => {
  let stage: Stage
  before(async () => {
    stage = await Stage.open({
      limits: { maxRequestsPerSecondPerPeer: 20, requestBurstPerPeer: 40 },
      honestLimits: { clientRequestsPerSecond: 15, clientRequestBurst: 30 }
    })
  })
  after(() => stage.stop())

  it('bans the flooder after its burst while the paced honest client goes on', async () => {
    const { holder } = stage
    // the stranger's own client does not pace itself to the holder's rate
    const stranger = await stage.stranger({
      shards: { limits: { clientRequestsPerSecond: 100_000, clientRequestBurst: 100_000 } }
    })
    const ids = [randomBytes(32)]
    const honest = (async () => {
      for (let i = 0; i < 45; i++)
        assert.deepEqual(await stage.honest.services.shards.has(holder.peerId, ids), [false])
    })()
    const started = performance.now()
    const flood = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        stranger.services.shards.has(holder.peerId, ids, { signal: AbortSignal.timeout(10_000) })
      )
    )
    const seconds = (performance.now() - started) / 1000
    const answered = flood.filter((r) => r.status === 'fulfilled').length
    // the burst, and what the rate refilled while the flood lasted
    const allowed = 40 + Math.ceil(20 * seconds)
    assert.ok(
      answered <= allowed,
      `${answered} of 200 flood requests answered, ${allowed} allowed in ${seconds} s`
    )
    assert.ok(answered < 200)
    await waitFor(() => stage.reported(stranger, 'too-many-requests') > 0, 10_000, 'rate report')
    assert.equal(holder.services.bans.isBanned(stranger.peerId), true)
    await honest
    assert.equal(stage.reported(stage.honest, 'too-many-requests'), 0)
  })
})
