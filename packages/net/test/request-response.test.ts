// The protocol kit's request/response shape between real hosts: answers, caps, deadlines.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { DecodeError, encodeFrame } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import type { Host } from '../src/host.ts'
import type { Misbehavior } from '../src/misbehavior.ts'
import { handleRequests, sendRequest } from '../src/request-response.ts'
import { startNetwork, stopAll, waitFor } from './network.ts'

const ECHO = '/defs/test/echo/1'
const SILENT = '/defs/test/silent/1'
const BIG = '/defs/test/big/1'
/** Above the muxer's 4 MiB write buffer limit (maxStreamBufferBytes): sent in pieces. */
const BIG_ANSWER = 10 * 1024 * 1024 + 7

describe('handleRequests / sendRequest', () => {
  let hosts: Host[] = []
  const reports: { peer: string; reason: Misbehavior }[] = []
  const opener = (h: Host) => ({
    openStream: (peer: PeerId, protocol: string, options?: { signal?: AbortSignal }) =>
      h.dialProtocol(peer, protocol, options)
  })

  before(async () => {
    hosts = await startNetwork(2, 'memory')
    await handleRequests(
      hosts[0]!,
      ECHO,
      async (request) => {
        if (request[0] === 0xff) throw new DecodeError('request starts with 0xff')
        return request
      },
      {
        maxRequestBytes: 100,
        maxStreamsPerPeer: 2,
        onPeerMisbehaved: (peer, reason) => reports.push({ peer: peer.toString(), reason })
      }
    )
    // never answers: the asker's deadline has to end the exchange
    await handleRequests(hosts[0]!, SILENT, () => new Promise<Uint8Array>(() => {}), {
      maxRequestBytes: 100,
      timeoutMs: 60_000
    })
    await handleRequests(
      hosts[0]!,
      BIG,
      async () => {
        const body = new Uint8Array(BIG_ANSWER)
        for (let i = 0; i < body.length; i += 4096) body[i] = (i / 4096) & 0xff
        return body
      },
      { maxRequestBytes: 100 }
    )
  })
  after(() => stopAll(hosts))
  const reported = (reason: Misbehavior): number =>
    reports.filter((r) => r.peer === hosts[1]!.peerId.toString() && r.reason === reason).length

  it('answers a request', async () => {
    const answer = await sendRequest(opener(hosts[1]!), hosts[0]!.peerId, ECHO, Uint8Array.of(1, 2, 3), {
      maxResponseBytes: 100
    })
    assert.deepEqual(answer, Uint8Array.of(1, 2, 3))
  })

  it('sends an answer larger than the write buffer limit whole', async () => {
    const answer = await sendRequest(opener(hosts[1]!), hosts[0]!.peerId, BIG, Uint8Array.of(1), {
      maxResponseBytes: BIG_ANSWER
    })
    assert.equal(answer.length, BIG_ANSWER)
    for (let i = 0; i < answer.length; i += 4096) assert.equal(answer[i], (i / 4096) & 0xff, `byte ${i}`)
  })

  it('reports an oversize and an undecodable request, and the asker gets an error', async () => {
    await assert.rejects(
      sendRequest(opener(hosts[1]!), hosts[0]!.peerId, ECHO, new Uint8Array(101), { maxResponseBytes: 100 })
    )
    await assert.rejects(
      sendRequest(opener(hosts[1]!), hosts[0]!.peerId, ECHO, Uint8Array.of(0xff), { maxResponseBytes: 100 })
    )
    await waitFor(() => reported('oversize-frame') > 0 && reported('malformed-message') > 0, 5000, 'reports')
  })

  it('settles by its deadline when the peer never answers', async () => {
    const started = Date.now()
    await assert.rejects(
      sendRequest(opener(hosts[1]!), hosts[0]!.peerId, SILENT, Uint8Array.of(1), {
        maxResponseBytes: 100,
        timeoutMs: 300
      }),
      (err: Error) => err.name === 'TimeoutError'
    )
    assert.ok(Date.now() - started < 10_000)
  })

  it('resets streams beyond the per-peer cap and reports the peer', async () => {
    const held = await Promise.all([1, 2].map(() => hosts[1]!.dialProtocol(hosts[0]!.peerId, ECHO)))
    try {
      const third = await hosts[1]!.dialProtocol(hosts[0]!.peerId, ECHO)
      try {
        third.send(encodeFrame(Uint8Array.of(7)))
      } catch {
        // the server may have reset it already
      }
      await waitFor(() => reported('too-many-streams') > 0, 5000, 'stream cap report')
    } finally {
      for (const s of held) s.abort(new Error('test done'))
    }
  })
})
