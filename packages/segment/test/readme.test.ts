// The README's first ten lines and its manifest example, run as written (console.log replaced by asserts).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { generateSigningKey, randomBytes } from '@defs/crypto'
import { assertFreshTime, decodeEnvelope, encodeEnvelope, type Manifest, sign, verify } from '@defs/segment'

it('the README examples run', async () => {
  const owner = await generateSigningKey()
  const req = {
    fileId: randomBytes(16),
    shards: [randomBytes(32)],
    nonce: randomBytes(16),
    time: Date.now(),
    recipient: randomBytes(38)
  }
  const bytes = encodeEnvelope(await sign('delete', req, owner)) // what goes over the wire

  const received = await verify(decodeEnvelope(bytes), 'delete') // a DecodeError on anything wrong
  assertFreshTime(received.time) // a ClockSkewError beyond 5 minutes
  assert.equal(received.shards.length, 1)
  assert.ok(bytes.length < 300, `${bytes.length} bytes`)

  const manifest: Manifest = {
    fileId: randomBytes(16),
    seq: 1,
    owner: owner.publicKey,
    mode: 'file',
    dataShards: 1,
    parityShards: 2,
    size: 5,
    sliceSize: 5,
    meta: new Uint8Array(0),
    created: Date.now(),
    slices: [{ plainLength: 5, cipherLength: 21, nonce: randomBytes(12), shards: [randomBytes(32)] }]
  }
  const checked = await verify(
    decodeEnvelope(encodeEnvelope(await sign('manifest', manifest, owner))),
    'manifest'
  )
  assert.equal(checked.seq, 1)
})
