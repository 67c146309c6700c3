// Forged index answers: a stranger answers "who has the manifest of F" with a manifest it signed
// itself (owner = itself, a huge seq, size 0), and answers first (the honest holder here waits
// for it). A lookup that names the owner it
// expects drops it, names the stranger, and waits for the owner's; one that names no owner gets
// no manifest at all. A holder never passes on a manifest that no longer verifies.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { generateSigningKey, randomBytes, type SigningKey } from '@defs/crypto'
import {
  decodeIndexQuery,
  type Envelope,
  encodeFrame,
  encodeIndexAnswer,
  INDEX_PROTOCOL
} from '@defs/segment'
import type { Message } from '@libp2p/gossipsub'
import type { Host } from '../../src/host.ts'
import { INDEX_TOPIC } from '../../src/index-asking.ts'
import type { Misbehavior } from '../../src/misbehavior.ts'
import { signedManifest } from '../fixtures.ts'
import { startNetwork, stopAll, waitForIndexMesh } from '../network.ts'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('attack: forged index answers', () => {
  let hosts: Host[] = []
  let owner: SigningKey
  const manifests = new Map<string, Envelope<'manifest'>>()
  const reports: { by: number; peer: string; reason: Misbehavior }[] = []
  /** file id hex -> resolves once the stranger's answer for that file got where the test wants it */
  const forged = new Map<string, Promise<void>>()
  /** Called when the reader reports a forged record (the stranger's answer was read and refused). */
  let onForgedReport = (): void => {}

  before(async () => {
    owner = await generateSigningKey()
    // 0: reader, 1: honest holder (answers after the stranger), 2: the stranger, 3: a holder whose copy rotted
    hosts = await startNetwork(4, 'tcp', (i) => ({
      index: {
        holdings: async (fileId) => {
          // the honest holder answers only after the stranger: the forgery always comes first
          if (i === 1)
            await Promise.race([forged.get(hexOf(fileId)), new Promise((r) => setTimeout(r, 5000))])
          return i === 1 || i === 3
            ? { shards: [], manifest: manifests.get(`${i}:${hexOf(fileId)}`) }
            : undefined
        }
      },
      onPeerMisbehaved: (peer, reason) => {
        reports.push({ by: i, peer: peer.toString(), reason })
        if (i === 0 && reason === 'forged-record') onForgedReport()
      }
    }))
    await waitForIndexMesh(hosts)
  })
  after(() => stopAll(hosts))

  /**
   * The stranger answers every manifest query for `fileId` at once, with its own manifest; the
   * honest holder answers once that answer was sent, or (`untilRefused`) read and refused.
   */
  async function forge(fileId: Uint8Array, untilRefused = false): Promise<() => void> {
    const stranger = hosts[2]!
    const key = await generateSigningKey()
    const { envelope } = await signedManifest(key, fileId, 1_000_000_000, 0)
    let delivered!: () => void
    forged.set(
      hexOf(fileId),
      new Promise((resolve) => {
        delivered = untilRefused ? () => {} : resolve
        if (untilRefused) onForgedReport = resolve
      })
    )
    const onQuery = (event: CustomEvent<Message>): void => {
      if (event.detail.topic !== INDEX_TOPIC) return
      const query = decodeIndexQuery(event.detail.data)
      if (hexOf(query.fileId) !== hexOf(fileId)) return
      void (async () => {
        const stream = await stranger.dialProtocol(hosts[0]!.peerId, INDEX_PROTOCOL)
        stream.send(
          encodeFrame(
            encodeIndexAnswer({ queryId: query.queryId, fileId, locations: [], manifest: envelope })
          )
        )
        await stream.close()
      })()
        .catch(() => {})
        .finally(delivered)
    }
    stranger.services.pubsub.addEventListener('message', onQuery)
    return () => stranger.services.pubsub.removeEventListener('message', onQuery)
  }

  it("drops the stranger's manifest, names the stranger, and waits for the owner's", async () => {
    const fileId = randomBytes(16)
    const real = await signedManifest(owner, fileId, 3)
    manifests.set(`1:${hexOf(fileId)}`, real.envelope)
    const stop = await forge(fileId, true)
    try {
      const found = await hosts[0]!.services.index.lookup(fileId, {
        want: 'manifest',
        owner: owner.publicKey,
        timeoutMs: 8000,
        dhtFallback: false
      })
      assert.equal(found.manifest?.manifest.seq, 3)
      assert.deepEqual(found.manifest?.manifest.owner, owner.publicKey)
      const stranger = hosts[2]!.peerId.toString()
      assert.ok(found.rejected.some((e) => e.peer === stranger && /not the owner asked for/.test(e.message)))
      assert.ok(reports.some((r) => r.by === 0 && r.peer === stranger && r.reason === 'forged-record'))
    } finally {
      stop()
    }
  })

  it('gives no manifest to a lookup that names no owner when owners disagree', async () => {
    const fileId = randomBytes(16)
    manifests.set(`1:${hexOf(fileId)}`, (await signedManifest(owner, fileId, 3)).envelope)
    const stop = await forge(fileId)
    try {
      const found = await hosts[0]!.services.index.lookup(fileId, {
        want: 'manifest',
        timeoutMs: 3000,
        settleMs: 1000,
        dhtFallback: false
      })
      assert.equal(found.manifest, undefined)
      assert.equal(found.manifests.length, 2, 'both owners are reported, neither is chosen')
    } finally {
      stop()
    }
  })

  it('never sends a held manifest that no longer verifies', async () => {
    const fileId = randomBytes(16)
    const { envelope } = await signedManifest(owner, fileId, 2)
    const rotted = { ...envelope, payload: envelope.payload.slice() }
    rotted.payload[rotted.payload.length - 2]! ^= 1
    manifests.set(`3:${hexOf(fileId)}`, rotted)
    const found = await hosts[0]!.services.index.lookup(fileId, {
      want: 'manifest',
      owner: owner.publicKey,
      timeoutMs: 1500,
      dhtFallback: false
    })
    assert.equal(found.manifest, undefined)
    assert.deepEqual(found.rejected, [], 'host 3 sent nothing to refuse')
    assert.ok(!reports.some((r) => r.peer === hosts[3]!.peerId.toString()))
  })
})
