// A stranger that opens more shard streams than its share is cut off and banned; the honest
// client, meanwhile, keeps storing and reading.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SHARD_PROTOCOL } from '@defs/segment'
import type { Stream } from '@libp2p/interface'
import { waitFor } from '../network.ts'
import { Stage } from './stage.ts'

describe('attack: more streams than allowed', () => {
  let stage: Stage
  before(async () => {
    stage = await Stage.open({ limits: { maxStreamsPerPeer: 4 }, hostLimits: { banMs: 3000 } })
  })
  after(() => stage.stop())

  it('resets the stream past the cap, bans and disconnects the stranger, refuses it until the ban ends', async () => {
    const { holder } = stage
    const stranger = await stage.stranger()
    const honest = stage.honestWork(6)
    const open: Stream[] = []
    // streams that send nothing hold their slot until the request deadline
    for (let i = 0; i < 5; i++) {
      try {
        open.push(await stranger.dialProtocol(holder.peerId, SHARD_PROTOCOL))
      } catch {
        break // cut off already
      }
    }
    await waitFor(() => stage.reported(stranger, 'too-many-streams') > 0, 10_000, 'stream cap report')
    assert.equal(holder.services.bans.isBanned(stranger.peerId), true)
    await waitFor(() => stranger.getConnections(holder.peerId).length === 0, 10_000, 'stranger cut off')
    await waitFor(() => holder.services.shards.inUse(stranger.peerId).streams === 0, 10_000, 'slots freed')
    // a banned peer cannot come back: the holder's gater drops it at the handshake
    await stranger.dial(holder.getMultiaddrs()[0]!).catch(() => {})
    await assert.rejects(
      stranger.services.shards.has(holder.peerId, [new Uint8Array(32)], { signal: AbortSignal.timeout(5000) })
    )
    await waitFor(
      () => holder.getConnections(stranger.peerId).length === 0,
      10_000,
      'no connection from the banned peer'
    )
    await honest
    await stage.honestWork(2)
    // the ban ends: the same identity may connect again
    await waitFor(() => !holder.services.bans.isBanned(stranger.peerId), 10_000, 'ban to end')
    await stranger.dial(holder.getMultiaddrs()[0]!)
    assert.ok(stranger.getConnections(holder.peerId).length > 0)
  })

  it('reports a trusted peer that breaks the cap but does not ban it', async () => {
    const trusted = await Stage.open({ limits: { maxStreamsPerPeer: 2 }, trusted: true })
    try {
      const { holder, honest } = trusted
      const open: Stream[] = []
      for (let i = 0; i < 3; i++) open.push(await honest.dialProtocol(holder.peerId, SHARD_PROTOCOL))
      await waitFor(() => trusted.reported(honest, 'too-many-streams') > 0, 10_000, 'stream cap report')
      for (const s of open) s.abort(new Error('test done'))
      assert.equal(holder.services.bans.isBanned(honest.peerId), false)
      await trusted.honestWork(1)
    } finally {
      await trusted.stop()
    }
  })
})
