// Pairing records in the DHT, on real nodes (TCP on 127.0.0.1): a pair's doubly-signed record is
// published where any node can check it (`lookupPairing`, the directory learns the pair); a real
// stranger host that puts forged records (signed by one side only, under a victim's key) gets
// them refused by every honest DHT node and by the reader; a genuine but older record put after
// a newer one was seen is refused by the reader (RollbackError).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createHost, type Host, pairingKey, signingKeyOf } from '@defs/net'
import { offerPairing, verifyOffer } from '@defs/pairing'
import { encodeSignedPairing, type SignedPairing, sign } from '@defs/segment'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { type DefsNode, pairingService } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'
import { pairKnown, pairOf, steadyPairs } from './pair-helpers.ts'

/** Two peers' keys (and a third key of the forger's). */
async function peersX() {
  const [xKey, yKey, other] = (await Promise.all([0, 1, 2].map(() => generateKeyPair('Ed25519')))) as [
    PrivateKey,
    PrivateKey,
    PrivateKey
  ]
  return { xKey, yKey, other, x: peerIdFromPrivateKey(xKey), y: peerIdFromPrivateKey(yKey) }
}

/** A record of X and Y at `epoch`: signed by both, or by X and another key of the forger's. */
async function recordOf(
  k: Awaited<ReturnType<typeof peersX>>,
  epoch: number,
  oneSided = false
): Promise<SignedPairing> {
  const offer = await offerPairing(await signingKeyOf(k.xKey), k.x, k.y, epoch)
  const record = await verifyOffer(offer, k.x, k.y)
  const second = await sign('pairing', record, await signingKeyOf(oneSided ? k.other : k.yKey))
  return { envelopes: [offer, second] }
}

describe('pairing records in the DHT', () => {
  let net: TestNetwork
  let stranger: Host
  before(async () => {
    net = await startNetwork(4, { services: { pairing: pairingService(steadyPairs) } })
    stranger = await createHost({ host: '127.0.0.1', privateAddresses: true })
    for (const n of net.nodes) await stranger.dial(multiaddr(n.addresses()[0]!))
  })
  after(async () => {
    await stranger?.stop()
    await net?.stop()
  })

  it('any node finds and checks a pair; forged and older records are refused', async () => {
    const [a, b, c, d] = net.nodes as [DefsNode, DefsNode, DefsNode, DefsNode]
    await pairKnown(net.nodes, a, b)
    const epoch = pairOf(a).pairing!.record.epoch
    // published at the next tick after the pair formed: any node (d) reads it, for either peer
    let found: Awaited<ReturnType<ReturnType<typeof pairOf>['lookupPairing']>>
    await waitFor(
      async () => {
        found = await pairOf(d)
          .lookupPairing(a.peerId)
          .catch(() => undefined)
        return found !== undefined
      },
      "a's pairing in the DHT",
      30_000
    )
    assert.equal(found!.record.epoch, epoch)
    assert.deepEqual(found!.peers.map(String).sort(), [a.peerId, b.peerId].sort())
    assert.equal((await pairOf(c).lookupPairing(b.peerId))?.record.epoch, epoch, "and under b's key")

    // the stranger forges: a record of itself and c, countersigned by a key that is not c's
    const forger = await peersX()
    const forged = await recordOf(forger, 1, true)
    const victim = c.peerId
    // its own node stores without checking; every honest DHT node refuses the put
    const putEvents: string[] = []
    for await (const e of stranger.services.dht.put(pairingKey(victim), encodeSignedPairing(forged), {
      signal: AbortSignal.timeout(15_000)
    }))
      putEvents.push(e.name === 'PEER_RESPONSE' ? `${e.name}:${e.messageType}` : e.name)
    assert.ok(
      !putEvents.includes('PEER_RESPONSE:PUT_VALUE'),
      `no honest node took it: ${putEvents.join(',')}`
    )
    assert.ok(putEvents.filter((e) => e === 'QUERY_ERROR').length >= 3, `refused: ${putEvents.join(',')}`)
    await assert.rejects(stranger.services.index.routing.putPairing(forged), { name: 'SignatureError' })
    assert.equal(
      await pairOf(d).lookupPairing(victim),
      undefined,
      'c has no pairing, whatever the stranger says'
    )
    // and one under a's key does not displace a's genuine record
    for await (const _ of stranger.services.dht.put(pairingKey(a.peerId), encodeSignedPairing(forged), {
      signal: AbortSignal.timeout(15_000)
    })) {
      // drain
    }
    assert.equal((await pairOf(d).lookupPairing(a.peerId))?.record.epoch, epoch)

    // a genuine pair at epoch 5, seen by d; then its own older record (epoch 3) put over it:
    // DHT nodes take it (valid, and they keep no history), d refuses it
    const pair = await peersX()
    const dht = { signal: AbortSignal.timeout(15_000) }
    await stranger.services.index.routing.putPairing(await recordOf(pair, 5), dht)
    assert.equal((await pairOf(d).lookupPairing(pair.x))?.record.epoch, 5)
    await stranger.services.index.routing.putPairing(await recordOf(pair, 3), {
      signal: AbortSignal.timeout(15_000)
    })
    const again = await pairOf(d)
      .lookupPairing(pair.x)
      .then((p) => p?.record.epoch)
      .catch((err: Error) => err.name)
    assert.ok(again === 'RollbackError' || again === 5, `d never takes epoch 3 after 5: ${again}`)
  })
})
