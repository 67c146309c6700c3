import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey } from '@defs/crypto'
import {
  DecodeError,
  decodePairingRecord,
  decodePairRequest,
  decodePairResponse,
  decodeSignedPairing,
  EncodeError,
  encodePairingRecord,
  encodePairRequest,
  encodePairResponse,
  encodeSignedPairing,
  limits,
  PAIR_BUCKET_HASH_BYTES,
  PAIR_BUCKETS,
  PAIR_LIST_MAX_IDS,
  PAIR_PREFIX_MAX_BYTES,
  type PairingRecord,
  pairingPeers,
  SignatureError,
  type SignedPairing,
  sign,
  verifySignedPairing
} from '@defs/segment'
import { seeded } from './helpers/random.ts'

const r = seeded('pairing')

function record(epoch = r.int(1, 2 ** 40)): PairingRecord {
  return { peers: pairingPeers(r.bytes(38), r.bytes(38)), epoch, created: r.int(0, 2 ** 41) }
}

async function signedByBoth(rec: PairingRecord): Promise<SignedPairing> {
  const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()])
  return { envelopes: [await sign('pairing', rec, a), await sign('pairing', rec, b)] }
}

describe('pairing records', () => {
  it('round-trip, alone and signed by both sides', async () => {
    const rec = record()
    assert.deepEqual(decodePairingRecord(encodePairingRecord(rec)), rec)
    const signed = decodeSignedPairing(encodeSignedPairing(await signedByBoth(rec)))
    const verified = await verifySignedPairing(signed)
    assert.deepEqual(verified.record, rec)
    assert.notDeepEqual(verified.signers[0], verified.signers[1])
  })

  it('order the peers the same way whoever builds the record', () => {
    const [a, b] = [r.bytes(38), r.bytes(38)]
    assert.deepEqual(pairingPeers(a, b), pairingPeers(b, a))
  })

  it('refuse peers out of order or twice, epoch 0 and oversize ids', () => {
    const rec = record()
    const swapped = { ...rec, peers: [rec.peers[1], rec.peers[0]] as [Uint8Array, Uint8Array] }
    assert.throws(() => encodePairingRecord(swapped), EncodeError)
    assert.throws(() => encodePairingRecord({ ...rec, peers: [rec.peers[0], rec.peers[0]] }), EncodeError)
    assert.throws(() => encodePairingRecord({ ...rec, epoch: 0 }), EncodeError)
    const long = r.bytes(limits.maxPeerIdBytes + 1)
    assert.throws(() => encodePairingRecord({ ...rec, peers: pairingPeers(long, rec.peers[0]) }), EncodeError)
    assert.throws(() => decodePairingRecord(new Uint8Array(limits.maxBytes.pairingRecord + 1)), DecodeError)
  })

  it('refuse a record signed by one side only', async () => {
    const rec = record()
    const key = await generateSigningKey()
    const once = await sign('pairing', rec, key)
    await assert.rejects(verifySignedPairing({ envelopes: [once, once] }), SignatureError)
    // the schema wants exactly two envelopes
    const bytes = encodeSignedPairing({ envelopes: [once, once] })
    assert.ok(decodeSignedPairing(bytes))
    assert.throws(() => encodeSignedPairing({ envelopes: [once] } as unknown as SignedPairing), EncodeError)
  })

  it('refuse two signatures over different records, and a forged second signature', async () => {
    const rec = record()
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey()])
    const first = await sign('pairing', rec, a)
    const other = await sign('pairing', { ...rec, epoch: rec.epoch + 1 }, b)
    await assert.rejects(verifySignedPairing({ envelopes: [first, other] }), SignatureError)
    const forged = { ...(await sign('pairing', rec, b)), signature: first.signature }
    await assert.rejects(verifySignedPairing({ envelopes: [first, forged] }), SignatureError)
  })
})

describe('pair protocol messages', () => {
  it('round-trip every kind', async () => {
    const status = { epoch: 3, partner: r.bytes(38), freeBytes: 2 ** 40, state: 'running' as const }
    const offer = await sign('pairing', record(), await generateSigningKey())
    for (const req of [
      { kind: 'heartbeat' as const, status },
      { kind: 'heartbeat' as const, status: { epoch: 0, freeBytes: 0, state: 'maintenance' as const } },
      { kind: 'probe' as const, peer: r.bytes(38) },
      { kind: 'propose' as const, offer }
    ]) {
      assert.deepEqual(decodePairRequest(encodePairRequest(req)), req)
    }
    for (const res of [
      { kind: 'status' as const, status },
      { kind: 'reach' as const, reachable: true },
      { kind: 'accept' as const, envelope: offer },
      { kind: 'refuse' as const, reason: 'paired already' }
    ]) {
      assert.deepEqual(decodePairResponse(encodePairResponse(res)), res)
    }
  })

  it('refuse an unknown lifecycle state and an oversize message', () => {
    const bad = { kind: 'heartbeat', status: { epoch: 1, freeBytes: 1, state: 'sleeping' } }
    assert.throws(() => encodePairRequest(bad as never), EncodeError)
    assert.throws(() => decodePairRequest(new Uint8Array(limits.maxBytes.pairMessage + 1)), DecodeError)
  })

  it('carry the sync: 256 bucket counts and hashes and a page of ids within the 4 KiB cap, no more', () => {
    const hashes = r.bytes(PAIR_BUCKETS * PAIR_BUCKET_HASH_BYTES)
    // the largest counts a bucket answer may carry still fit one pair message
    const counts = new Array<number>(PAIR_BUCKETS).fill(2 ** 32 - 1)
    const buckets = { kind: 'buckets' as const, hashes, counts }
    const bytes = encodePairResponse(buckets)
    assert.ok(bytes.length <= limits.maxBytes.pairMessage, `${bytes.length} bytes`)
    assert.deepEqual(decodePairResponse(bytes), buckets)
    const page = { kind: 'ids' as const, ids: Array.from({ length: PAIR_LIST_MAX_IDS }, () => r.bytes(32)) }
    assert.deepEqual(decodePairResponse(encodePairResponse(page)), page)
    assert.throws(() => encodePairResponse({ kind: 'ids', ids: [...page.ids, r.bytes(32)] }), EncodeError)
    assert.throws(() => encodePairResponse({ ...buckets, counts: counts.slice(1) }), EncodeError)
    assert.throws(
      () => encodePairResponse({ ...buckets, counts: [2 ** 32, ...counts.slice(1)] }),
      EncodeError
    )
    for (const req of [
      { kind: 'buckets' as const, epoch: 3, prefix: r.bytes(PAIR_PREFIX_MAX_BYTES) },
      { kind: 'list' as const, epoch: 3, prefix: r.bytes(1), after: r.bytes(32) },
      { kind: 'list' as const, epoch: 3, prefix: new Uint8Array(0) }
    ]) {
      assert.deepEqual(decodePairRequest(encodePairRequest(req)), req)
    }
    assert.throws(
      () => encodePairRequest({ kind: 'buckets', epoch: 3, prefix: r.bytes(PAIR_PREFIX_MAX_BYTES + 1) }),
      EncodeError
    )
  })
})
