// Who may store how much: strangers are held to small quotas (each, per network group, all
// together), counted from what the store records of who stored what, so a restart forgets
// nothing; the honest client, which the holder knows, stores on regardless.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { QuotaExceededError } from '../../src/errors.ts'
import type { Host } from '../../src/host.ts'
import { makeShard } from '../fixtures.ts'
import { LOOPBACK_GROUP, Stage } from './stage.ts'

const MiB = 1024 * 1024

/** Puts 1 MiB shards from `host` until refused (at most `max`); how many it stored. */
async function fill(stage: Stage, host: Host, max: number): Promise<{ stored: number; refusal?: Error }> {
  for (let stored = 0; stored < max; stored++) {
    const shard = await makeShard(MiB)
    try {
      await host.services.shards.put(stage.holder.peerId, shard.header, shard.bytes, { id: shard.id })
    } catch (err) {
      return { stored, refusal: err as Error }
    }
  }
  return { stored: max }
}

describe('attack: strangers filling the disk', () => {
  const stages: Stage[] = []
  after(() => Promise.all(stages.map((s) => s.stop())))

  it('holds each stranger to its quota, counts it after a restart, and lets the honest client store', async () => {
    const stage = await Stage.open({
      limits: { strangerBytesPerPeer: 3 * MiB, strangerBytesPerGroup: 64 * MiB, strangerBytesTotal: 64 * MiB }
    })
    stages.push(stage)
    const stranger = await stage.stranger()
    const first = await fill(stage, stranger, 10)
    assert.equal(first.stored, 3)
    assert.ok(first.refusal instanceof QuotaExceededError, String(first.refusal))
    assert.match(first.refusal.message, /from a stranger/)
    assert.equal((await stage.store.usage()).byPeer.get(stranger.peerId.toString()), 3 * MiB)
    const honest = await fill(stage, stage.honest, 8)
    assert.equal(honest.stored, 8, 'the honest client is not held to a stranger quota')
    // a restart: the holder counts the stranger's bytes from the store again
    await stage.restartHolder()
    await stage.reconnect(stranger)
    const again = await fill(stage, stranger, 2)
    assert.equal(again.stored, 0)
    assert.ok(again.refusal instanceof QuotaExceededError, String(again.refusal))
    assert.equal((await fill(stage, stage.honest, 2)).stored, 2)
  })

  it('holds the strangers of one network group to the group quota, new identities or not', async () => {
    const stage = await Stage.open({
      limits: { strangerBytesPerPeer: 2 * MiB, strangerBytesPerGroup: 5 * MiB, strangerBytesTotal: 64 * MiB }
    })
    stages.push(stage)
    let stored = 0
    let refusal: Error | undefined
    for (let i = 0; i < 6 && refusal === undefined; i++) {
      const result = await fill(stage, await stage.stranger(), 2)
      stored += result.stored
      refusal = result.refusal
    }
    assert.equal(stored, 5)
    assert.match(
      String(refusal?.message),
      new RegExp(`strangers in ${LOOPBACK_GROUP.replace(/[./]/g, '\\$&')}`)
    )
    assert.equal((await stage.store.usage()).byGroup.get(LOOPBACK_GROUP), 5 * MiB)
    assert.equal((await fill(stage, stage.honest, 4)).stored, 4)
  })

  it('holds all strangers together to their total', async () => {
    const stage = await Stage.open({
      limits: { strangerBytesPerPeer: 2 * MiB, strangerBytesPerGroup: 64 * MiB, strangerBytesTotal: 3 * MiB }
    })
    stages.push(stage)
    const a = await fill(stage, await stage.stranger(), 2)
    const b = await fill(stage, await stage.stranger(), 2)
    assert.equal(a.stored + b.stored, 3)
    assert.match(String(b.refusal?.message), /from strangers: they would hold/)
    assert.equal((await stage.store.usage()).strangers, 3 * MiB)
    assert.equal((await fill(stage, stage.honest, 4)).stored, 4)
  })

  it('charges a stranger that claims bytes held already, so a copy is no way around its quota', async () => {
    const stage = await Stage.open({ limits: { strangerBytesPerPeer: 2 * MiB } })
    stages.push(stage)
    const stranger = await stage.stranger()
    const held = await Promise.all([1, 2, 3].map(() => makeShard(MiB)))
    for (const s of held)
      await stage.honest.services.shards.put(stage.holder.peerId, s.header, s.bytes, { id: s.id })
    const { generateSigningKey } = await import('@defs/crypto')
    const thief = await generateSigningKey()
    let claimed = 0
    for (const s of held) {
      const copy = await makeShard(MiB, undefined, 0, thief, s.bytes)
      try {
        await stranger.services.shards.put(stage.holder.peerId, copy.header, copy.bytes, { id: copy.id })
        claimed++
      } catch (err) {
        assert.ok(err instanceof QuotaExceededError, String(err))
      }
    }
    assert.equal(claimed, 2)
    assert.equal(await stage.store.size(), 3 * MiB, 'the bytes are kept once')
  })
})
