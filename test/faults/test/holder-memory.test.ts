// Reads that would amplify, against a real holder process on a real disk store: strangers, each a
// node with keys of its own, ask a 64 MiB shard for one byte at a time, audit it and read it whole,
// all at once. A holder that read the whole shard for each of them would grow by 64 MiB per
// request in flight; this one reads only the ranges asked for and holds whole reads in frames
// within the strangers' part of its memory budget, so its resident memory stays under that part.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { sha256 } from '@defs/crypto'
import { auditDigest, shardHeaderOf, signShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Network, startNetwork, waitFor } from './network.ts'

const MiB = 1024 * 1024
const child = fileURLToPath(new URL('./fixtures/holder-child.ts', import.meta.url))
/** What the holder's shard protocol lets strangers hold together (net's strangerMemoryBytes). */
const STRANGER_MEMORY = 128 * MiB
/** Slack above it for what a process allocates besides shard bytes (frames, streams, GC lag). */
const SLACK = 96 * MiB
const STRANGERS = 6

describe('strangers reading a large shard from a real holder', () => {
  let net: Network | undefined
  let holder: ReturnType<typeof spawn> | undefined
  after(async () => {
    holder?.kill('SIGKILL')
    await net?.stop()
  })

  it('keep its resident memory under their budget, and get the right bytes', async () => {
    net = await startNetwork({ honest: 1, strangers: STRANGERS })
    const honest = net.honest[0]!
    holder = spawn(
      process.execPath,
      ['--expose-gc', '--conditions=@defs/source', child, `${net.root}/holder`, honest.peerId],
      {
        stdio: ['pipe', 'pipe', 'inherit']
      }
    )
    const lines = createInterface({ input: holder.stdout! })[Symbol.asyncIterator]()
    const next = async <T>(): Promise<T> => {
      const line = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the holder did not answer in 60 s')), 60_000).unref()
        )
      ])
      assert.ok(!line.done, 'the holder exited')
      return JSON.parse(line.value) as T
    }
    const ask = <T>(command: string): Promise<T> => {
      holder!.stdin!.write(`${command}\n`)
      return next<T>()
    }
    const { peerId, address } = await next<{ peerId: string; address: string }>()
    const target = peerIdFromString(peerId)
    for (const n of [honest, ...net.strangers]) await n.peers.connect(address)
    await waitFor(async () => (await honest.status()).peers >= STRANGERS + 1, 'the holder in the mesh')

    // The honest uploader, trusted by the holder, stores one 64 MiB shard there.
    const c = honest.services.parts
    const body = new Uint8Array(randomBytes(64 * MiB))
    const id = await sha256(body)
    const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 1, parityShards: 0 }
    const header = await signShardHeader(c.userKey, id, shardHeaderOf(fields, body))
    await c.host.services.shards.put(target, header, body, { id })

    const { rss: baseline } = await ask<{ rss: number }>('mark')
    const refusals: string[] = []
    // Every stranger at once: twenty 1-byte gets, five audits of 4 KiB ranges and one whole read.
    const outcomes = await Promise.allSettled(
      net.strangers.map(async (stranger) => {
        const shards = stranger.services.parts.host.services.shards
        const ones = Array.from({ length: 20 }, async () => {
          const offset = Math.floor(Math.random() * (body.length - 1))
          const got = await shards.get(target, id, { range: { offset, length: 1 } })
          assert.deepEqual(got, body.subarray(offset, offset + 1), `the byte at ${offset}`)
        })
        const audits = Array.from({ length: 5 }, async () => {
          const challenge = {
            shard: id,
            nonce: randomBytes(16),
            ranges: [{ offset: Math.floor(Math.random() * (body.length - 4096)), length: 4096 }]
          }
          assert.deepEqual(await shards.audit(target, challenge), await auditDigest(challenge, body))
        })
        await Promise.all([...ones, ...audits])
        // A whole read may be refused (the strangers' memory is shared); if it answers, it is whole.
        const whole = await shards.get(target, id).catch((err: Error) => err)
        if (whole instanceof Uint8Array) assert.ok(Buffer.from(whole).equals(body), 'the whole shard')
        else refusals.push(`${whole.name}: ${whole.message}`)
        return whole instanceof Uint8Array
      })
    )
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason
    let wholeReads = outcomes.filter((o) => o.status === 'fulfilled' && o.value).length
    // All at once, every whole read may have been refused (they share the strangers' memory, and
    // on a loaded machine they also run out of time together): one stranger alone then must get
    // it, in at most 3 tries.
    const alone = net.strangers[0]!.services.parts.host.services.shards
    for (let attempt = 0; wholeReads === 0 && attempt < 3; attempt++) {
      const whole = await alone.get(target, id).catch((err: Error) => err)
      if (whole instanceof Uint8Array) {
        assert.ok(Buffer.from(whole).equals(body), 'the whole shard')
        wholeReads++
      } else refusals.push(`alone: ${whole.name}: ${whole.message}`)
    }
    assert.ok(wholeReads >= 1, `no stranger read the shard whole: ${refusals.join('; ')}`)
    const { peak } = await ask<{ peak: number }>('peak')
    const grew = peak - baseline
    assert.ok(
      grew < STRANGER_MEMORY + SLACK,
      `the holder grew by ${(grew / MiB).toFixed(0)} MiB under ${STRANGERS} strangers (${wholeReads} whole reads), over ${(STRANGER_MEMORY + SLACK) / MiB} MiB`
    )
  })
})
