import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey } from '@defs/crypto'
import {
  DecodeError,
  decodeEnvelope,
  decodeUserRoot,
  decodeUserTree,
  EncodeError,
  encodeEnvelope,
  encodeHomeRecord,
  encodeUserRoot,
  encodeUserTree,
  type HomeRecord,
  limits,
  OversizeError,
  rootDigest,
  SignatureError,
  sign,
  signingDomain,
  type UserRoot,
  verify
} from '@defs/segment'
import { homeRecord, userRoot } from './helpers/arbitrary.ts'
import { concat } from './helpers/bytes.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('user-root')

describe('user roots and home records', () => {
  it('sign, encode, decode and verify a root and a home record signed by their user', async () => {
    const user = await generateSigningKey()
    const root: UserRoot = { ...userRoot(r), user: user.publicKey }
    const home: HomeRecord = { ...homeRecord(r), user: user.publicKey }
    const re = decodeEnvelope(encodeEnvelope(await sign('root', root, user)))
    const he = decodeEnvelope(encodeEnvelope(await sign('home', home, user)))
    assert.deepEqual(await verify(re, 'root'), root)
    assert.deepEqual(await verify(he, 'home'), home)
    assert.equal(new TextDecoder().decode(signingDomain('root')), 'defs:root:v1\0')
    assert.equal(new TextDecoder().decode(signingDomain('home')), 'defs:home:v1\0')
  })

  it('refuses to sign a root or home record for another user', async () => {
    const user = await generateSigningKey()
    const other = await generateSigningKey()
    await assert.rejects(sign('root', { ...userRoot(r), user: other.publicKey }, user), EncodeError)
    await assert.rejects(sign('home', { ...homeRecord(r), user: other.publicKey }, user), EncodeError)
  })

  it('refuses a root or home record signed by a key other than its user', async () => {
    const user = await generateSigningKey()
    const stranger = await generateSigningKey()
    for (const [type, payload] of [
      ['root', encodeUserRoot({ ...userRoot(r), user: user.publicKey })],
      ['home', encodeHomeRecord({ ...homeRecord(r), user: user.publicKey })]
    ] as const) {
      // A valid signature by the stranger over the user's record: the signer is not the user.
      const forged = {
        type,
        payload,
        publicKey: stranger.publicKey,
        signature: await stranger.sign(concat(signingDomain(type), payload))
      }
      await assert.rejects(verify(forged, type), SignatureError)
    }
  })

  it('refuses a changed seq under the old signature (no replay of an old root as a new one)', async () => {
    const user = await generateSigningKey()
    const root = { ...userRoot(r), user: user.publicKey, seq: 5, previous: r.bytes(32) }
    const env = await sign('root', root, user)
    const bumped = { ...env, payload: encodeUserRoot({ ...root, seq: 6 }) }
    await assert.rejects(verify(bumped, 'root'), SignatureError)
  })

  it('requires previous exactly when seq is above 1', () => {
    const root = userRoot(r)
    assert.throws(() => encodeUserRoot({ ...root, seq: 1, previous: r.bytes(32) }), EncodeError)
    const { previous: _drop, ...first } = { ...root, seq: 2 }
    assert.throws(() => encodeUserRoot(first), EncodeError)
    assert.throws(() => encodeUserRoot({ ...root, seq: 0 }), EncodeError)
    assert.throws(() => encodeHomeRecord({ ...homeRecord(r), seq: 0 }), EncodeError)
  })

  it('caps the files of a root and the entries of a tree, and refuses oversize input before parsing', () => {
    const root = { ...userRoot(r), seq: 1, files: [] as Uint8Array[] }
    delete (root as Partial<UserRoot>).previous
    const many = Array.from({ length: limits.maxRootFiles + 1 }, () => new Uint8Array(16))
    assert.throws(() => encodeUserRoot({ ...root, files: many }), EncodeError)
    const full = encodeUserRoot({ ...root, files: many.slice(1) })
    assert.equal(decodeUserRoot(full).files.length, limits.maxRootFiles)
    assert.throws(() => decodeUserRoot(new Uint8Array(limits.maxBytes.userRoot + 1)), OversizeError)
    const entry = { name: 'a', fileId: new Uint8Array(16), wrappedKey: new Uint8Array(1) }
    assert.throws(() => encodeUserTree({ entries: [entry, { ...entry }] }), EncodeError)
    assert.throws(
      () => encodeUserTree({ entries: [{ ...entry, name: 'x'.repeat(limits.maxTreeNameBytes + 1) }] }),
      EncodeError
    )
    assert.throws(() => decodeUserTree(Uint8Array.of(0xa0)), DecodeError)
    // An entry's grant digests: optional (a tree without them decodes as before), 32 bytes each,
    // at most one per possible friend.
    const grants = [new Uint8Array(32).fill(7)]
    assert.deepEqual(
      decodeUserTree(encodeUserTree({ entries: [{ ...entry, grants }] })).entries[0]!.grants,
      grants
    )
    assert.equal(decodeUserTree(encodeUserTree({ entries: [entry] })).entries[0]!.grants, undefined)
    assert.throws(
      () => encodeUserTree({ entries: [{ ...entry, grants: [new Uint8Array(31)] }] }),
      EncodeError
    )
    const tooMany = Array.from({ length: limits.maxFriends + 1 }, () => new Uint8Array(32))
    assert.throws(() => encodeUserTree({ entries: [{ ...entry, grants: tooMany }] }), EncodeError)
  })

  it('names the previous root by the digest of its payload', async () => {
    const payload = encodeUserRoot(userRoot(r))
    const a = await rootDigest(payload)
    assert.equal(a.length, 32)
    const changed = payload.slice()
    changed[changed.length - 1]! ^= 1
    assert.notDeepEqual(await rootDigest(changed), a)
  })
})
