import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidPairingError, offerPairing, partnerIn, verifyOffer, verifyPairing } from '@defs/pairing'
import { type Envelope, RollbackError, type SignedPairing, sign, verify } from '@defs/segment'
import { identity } from './keys.ts'

async function both(epoch: number) {
  const [a, b] = await Promise.all([identity(), identity()])
  const offer = await offerPairing(a.key, a.peer, b.peer, epoch)
  const record = await verifyOffer(offer, a.peer, b.peer)
  const signed: SignedPairing = { envelopes: [offer, await sign('pairing', record, b.key)] }
  return { a, b, offer, signed }
}

describe('pairing records between libp2p peers', () => {
  it('a record both named peers signed verifies, and names each one the partner of the other', async () => {
    const { a, b, signed } = await both(1)
    const pairing = await verifyPairing(signed, 'test')
    assert.equal(pairing.record.epoch, 1)
    assert.ok(partnerIn(pairing, a.peer).equals(b.peer))
    assert.ok(partnerIn(pairing, b.peer).equals(a.peer))
  })

  it('refuses a record signed by one side only', async () => {
    const { offer } = await both(1)
    await assert.rejects(verifyPairing({ envelopes: [offer, offer] }, 'test'), InvalidPairingError)
  })

  it('refuses a second signature by a peer the record does not name', async () => {
    const { a, b, offer } = await both(1)
    const stranger = await identity()
    const record = await verify(offer, 'pairing')
    const bySomeoneElse: Envelope<'pairing'> = await sign('pairing', record, stranger.key)
    await assert.rejects(
      verifyPairing({ envelopes: [offer, bySomeoneElse] }, 'test'),
      (err: Error) => err.name === 'InvalidPairingError' && err.message.includes(b.peer.toString())
    )
    assert.ok(a.peer)
  })

  it('refuses a record with a lower epoch than one already seen; the same epoch again is accepted', async () => {
    const { signed } = await both(4)
    await assert.rejects(verifyPairing(signed, 'test', 5), RollbackError)
    assert.equal((await verifyPairing(signed, 'test', 4)).record.epoch, 4)
  })

  it('refuses an offer from a peer other than its signer, or naming someone else', async () => {
    const [a, b, c] = await Promise.all([identity(), identity(), identity()])
    const offer = await offerPairing(a.key, a.peer, b.peer, 1)
    await assert.rejects(verifyOffer(offer, c.peer, b.peer), InvalidPairingError)
    await assert.rejects(verifyOffer(offer, a.peer, c.peer), InvalidPairingError)
    assert.equal((await verifyOffer(offer, a.peer, b.peer)).epoch, 1)
  })
})
