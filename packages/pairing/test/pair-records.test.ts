// The pairing service's side of the records in the DHT, with a routing the test holds (the DHT
// path itself, on real nodes and a forging stranger, is @defs/node's pair-dht test): a pair is
// published when it forms, a put that fails is tried again, a peer placement asks about and has
// heard nothing of is looked up in the background, and a record signed by one side or below an
// epoch seen is refused.
import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { type FileRouting, type OpenedPairing, openSignedPairing, signingKeyOf } from '@defs/net'
import { offerPairing, verifyOffer } from '@defs/pairing'
import { type SignedPairing, sign } from '@defs/segment'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { mesh, type PairNode, startPairNode, waitFor } from './hosts.ts'

const started: PairNode[] = []
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((n) => n.stop()))
})

/** A routing whose DHT is a map; `failPuts` puts fail first. */
function memoryRouting(failPuts = 0) {
  const records = new Map<string, SignedPairing>()
  const puts: SignedPairing[] = []
  let failures = failPuts
  const routing: Pick<FileRouting, 'putPairing' | 'getPairing'> = {
    async putPairing(signed) {
      if (failures-- > 0) throw new Error('no DHT peer took it')
      const { peers } = await openSignedPairing(signed)
      puts.push(signed)
      for (const p of peers) records.set(p.toString(), signed)
    },
    async getPairing(peer): Promise<OpenedPairing | undefined> {
      const signed = records.get(peer.toString())
      // as the DHT path does: an invalid value is no answer
      return signed === undefined ? undefined : await openSignedPairing(signed).catch(() => undefined)
    }
  }
  return { routing, records, puts }
}

async function keys(): Promise<{ key: PrivateKey; id: PeerId }> {
  const key = await generateKeyPair('Ed25519')
  return { key, id: peerIdFromPrivateKey(key) }
}

async function record(
  x: Awaited<ReturnType<typeof keys>>,
  y: Awaited<ReturnType<typeof keys>>,
  epoch: number,
  countersigner = y.key
): Promise<SignedPairing> {
  const offer = await offerPairing(await signingKeyOf(x.key), x.id, y.id, epoch)
  const rec = await verifyOffer(offer, x.id, y.id)
  return { envelopes: [offer, await sign('pairing', rec, await signingKeyOf(countersigner))] }
}

describe('pairing records published and looked up', { timeout: 60_000 }, () => {
  it('publishes a new pair (again after a failed put), and a reader learns it in the background', async () => {
    const dht = memoryRouting(2)
    const [a, b, reader] = await Promise.all([
      startPairNode({ autoPair: false, routing: dht.routing }),
      startPairNode({ autoPair: false, routing: dht.routing }),
      startPairNode({ autoPair: false, routing: dht.routing })
    ])
    started.push(a!, b!, reader!)
    await mesh([a!, b!])
    const pairing = await a!.pair.pairWith(b!.host.peerId)
    // two puts fail (either side's), then both sides' land: the record is there under both keys
    await waitFor(() => dht.puts.length >= 2, 'both partners published')
    assert.deepEqual(dht.records.get(a!.host.peerId.toString()), pairing.signed)
    // the reader never heard either: placement's question starts a lookup, the answer comes later
    assert.equal(reader!.pair.partnerOf(a!.host.peerId.toString()), undefined)
    await waitFor(
      () => reader!.pair.partnerOf(a!.host.peerId.toString()) === b!.host.peerId.toString(),
      'the reader learns the pair from the DHT'
    )
    assert.equal(reader!.pair.partnerOf(b!.host.peerId.toString()), a!.host.peerId.toString())
  })

  it('refuses a record signed by one side, and one below an epoch seen', async () => {
    const dht = memoryRouting()
    const reader = await startPairNode({ autoPair: false, routing: dht.routing })
    started.push(reader)
    const [x, y, forger] = await Promise.all([keys(), keys(), keys()])
    // one side only: the DHT's own check refuses it, and so does the reader's
    const forged = await record(x, y, 1, forger.key)
    await assert.rejects(dht.routing.putPairing(forged), { name: 'SignatureError' })
    dht.records.set(x.id.toString(), forged)
    assert.equal(await reader.pair.lookupPairing(x.id), undefined)
    // genuine records: epoch 5 seen, then the DHT hands back epoch 3
    dht.records.set(x.id.toString(), await record(x, y, 5))
    assert.equal((await reader.pair.lookupPairing(x.id))?.record.epoch, 5)
    dht.records.set(x.id.toString(), await record(x, y, 3))
    await assert.rejects(reader.pair.lookupPairing(x.id), { name: 'RollbackError' })
    // and under the other peer's key too: the epoch seen is the pair's
    dht.records.set(y.id.toString(), await record(x, y, 4))
    await assert.rejects(reader.pair.lookupPairing(y.id), { name: 'RollbackError' })
  })
})
