import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, type SignatureAlgorithm } from '@defs/crypto'
import {
  DecodeError,
  decodeEnvelope,
  EncodeError,
  type Envelope,
  encodeDeleteRequest,
  encodeEnvelope,
  encodeLocationRecord,
  encodeManifest,
  SignatureError,
  sign,
  signingDomain,
  TrailingBytesError,
  verify,
  WrongRecordTypeError
} from '@defs/segment'
import { deleteRequest, locationRecord, manifest } from './helpers/arbitrary.ts'
import { concat } from './helpers/bytes.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('envelope')
const algorithms: SignatureAlgorithm[] = ['ed25519', 'secp256k1', 'p256']

describe('signed envelopes', () => {
  for (const algorithm of algorithms) {
    it(`${algorithm}: sign, encode, decode, verify each record type`, async () => {
      const key = await generateSigningKey(algorithm)
      const m = { ...manifest(r), owner: key.publicKey }
      const location = locationRecord(r)
      const del = deleteRequest(r)
      const envelopes = [
        await sign('manifest', m, key),
        await sign('location', location, key),
        await sign('delete', del, key)
      ]
      const [me, le, de] = envelopes.map((e) => decodeEnvelope(encodeEnvelope(e)))
      assert.deepEqual(await verify(me!, 'manifest'), m)
      assert.deepEqual(await verify(le!, 'location'), location)
      assert.deepEqual(await verify(de!, 'delete'), del)
    })
  }

  it('uses one domain string per type', () => {
    const text = (t: 'manifest' | 'location' | 'delete') => new TextDecoder().decode(signingDomain(t))
    assert.equal(text('manifest'), 'defs:manifest:v1\0')
    assert.equal(text('location'), 'defs:location:v1\0')
    assert.equal(text('delete'), 'defs:delete:v1\0')
  })

  it('refuses an envelope of another type', async () => {
    const key = await generateSigningKey()
    const env = await sign('location', locationRecord(r), key)
    await assert.rejects(verify(env, 'delete'), WrongRecordTypeError)
    await assert.rejects(verify(env, 'manifest'), WrongRecordTypeError)
  })

  it('never verifies a signature made for one type as another (domain separation)', async () => {
    const key = await generateSigningKey()
    const payload = encodeDeleteRequest(deleteRequest(r))
    // Signed as a location record over the very bytes of a delete request.
    const signature = await key.sign(concat(signingDomain('location'), payload))
    const forged: Envelope<'delete'> = { type: 'delete', payload, publicKey: key.publicKey, signature }
    await assert.rejects(verify(forged, 'delete'), SignatureError)
    const honest = { ...forged, signature: await key.sign(concat(signingDomain('delete'), payload)) }
    assert.ok(await verify(honest, 'delete'))
  })

  it('refuses a changed payload, a flipped signature bit and a swapped key', async () => {
    const key = await generateSigningKey()
    const other = await generateSigningKey()
    const record = locationRecord(r)
    const env = await sign('location', record, key)
    const changed = { ...env, payload: encodeLocationRecord({ ...record, expires: record.expires + 1 }) }
    await assert.rejects(verify(changed, 'location'), SignatureError)
    const flipped = env.signature.slice()
    flipped[r.int(0, 63)]! ^= 1 << r.int(0, 7)
    await assert.rejects(verify({ ...env, signature: flipped }, 'location'), SignatureError)
    await assert.rejects(verify({ ...env, publicKey: other.publicKey }, 'location'), SignatureError)
  })

  it('ties a manifest to its owner: sign refuses another key, verify refuses another signer', async () => {
    const owner = await generateSigningKey()
    const mallory = await generateSigningKey()
    const m = { ...manifest(r), owner: owner.publicKey }
    await assert.rejects(sign('manifest', m, mallory), EncodeError)
    // Mallory signs a payload that names the real owner: the signature is valid, but hers.
    const payload = encodeManifest(m)
    const signature = await mallory.sign(concat(signingDomain('manifest'), payload))
    const forged: Envelope<'manifest'> = {
      type: 'manifest',
      payload,
      publicKey: mallory.publicKey,
      signature
    }
    await assert.rejects(verify(forged, 'manifest'), SignatureError)
    assert.deepEqual(await verify(await sign('manifest', m, owner), 'manifest'), m)
  })

  it('checks the payload before the signature: non-canonical bytes are a DecodeError', async () => {
    const key = await generateSigningKey()
    const env = await sign('delete', deleteRequest(r), key)
    const padded = concat(env.payload, Uint8Array.of(0))
    await assert.rejects(verify({ ...env, payload: padded }, 'delete'), TrailingBytesError)
  })

  it('gives a DecodeError, not a TypeError, for a hand-made broken envelope', async () => {
    const junk = { type: 'delete', payload: new Uint8Array(0), publicKey: undefined, signature: 3 }
    await assert.rejects(verify(junk as unknown as Envelope, 'delete'), DecodeError)
    await assert.rejects(verify(undefined as unknown as Envelope, 'delete'), WrongRecordTypeError)
    const key = await generateSigningKey()
    const env = await sign('delete', deleteRequest(r), key)
    const badKey = { ...env, publicKey: { algorithm: 'rsa', bytes: new Uint8Array(3) } }
    await assert.rejects(verify(badKey as unknown as Envelope, 'delete'), SignatureError)
  })
})
