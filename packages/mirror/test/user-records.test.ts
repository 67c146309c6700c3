import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import {
  memoryStateStore,
  type NotHomeError,
  RootConflictError,
  StaleRecordError,
  sealTree,
  signHome,
  signNextRoot,
  UserRecords
} from '@defs/mirror'
import { encodeEnvelope, rootDigest, sign } from '@defs/segment'
import { peerBytes } from './helpers.ts'

async function setup() {
  const self = await peerBytes()
  const key = await generateSigningKey()
  const store = memoryStateStore()
  const records = new UserRecords(store, self)
  await records.offerHome(await signHome(key, self, undefined))
  const tree = await sealTree({ entries: [] }, key.publicKey)
  return { self, key, store, records, tree }
}

describe('user records', () => {
  it('takes root updates at home as compare-and-swap on the current root and seq', async () => {
    const { key, records, tree } = await setup()
    const first = await signNextRoot(key, undefined, { tree, files: [] })
    await records.writeRoot(first)
    const held1 = await records.root(key.publicKey)
    assert.equal(held1?.record.seq, 1)
    const file = randomBytes(16)
    const second = await signNextRoot(key, held1, { tree, files: [file] })
    await records.writeRoot(second)
    const held2 = await records.root(key.publicKey)
    assert.equal(held2?.record.seq, 2)
    assert.deepEqual(held2?.record.files, [file])

    // A writer that read root 1 and writes after root 2 landed: wrong current.
    const racing = await signNextRoot(key, held1, { tree, files: [] })
    await assert.rejects(records.writeRoot(racing), (err: RootConflictError) => {
      assert.equal(err.name, 'RootConflictError')
      assert.equal(err.currentSeq, 2)
      return true
    })
    // The right current but a seq that does not increase.
    const sameSeq = await sign(
      'root',
      { ...held2!.record, previous: await rootDigest(held2!.envelope.payload) },
      key
    )
    await assert.rejects(records.writeRoot(sameSeq), StaleRecordError)
    assert.equal((await records.root(key.publicKey))?.record.seq, 2)
  })

  it('lets exactly one of two concurrent writers from the same root win', async () => {
    const { key, records, tree } = await setup()
    await records.writeRoot(await signNextRoot(key, undefined, { tree, files: [] }))
    const held = await records.root(key.publicKey)
    const a = await signNextRoot(key, held, { tree, files: [randomBytes(16)] })
    const b = await signNextRoot(key, held, { tree, files: [randomBytes(16)] })
    const results = await Promise.allSettled([records.writeRoot(a), records.writeRoot(b)])
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'])
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    assert.equal(lost.reason.name, 'RootConflictError')
  })

  it('refuses a first root above seq 1 and a root update at a node that is not home, naming the home', async () => {
    const { key, records, tree } = await setup()
    const first = await signNextRoot(key, undefined, { tree, files: [] })
    const skipping = await sign(
      'root',
      {
        user: key.publicKey,
        seq: 4,
        previous: randomBytes(32),
        tree: await sha256(tree),
        files: [],
        time: 1
      },
      key
    )
    await assert.rejects(records.writeRoot(skipping), RootConflictError)
    await records.writeRoot(first)
    const elsewhere = await peerBytes()
    const mirror = new UserRecords(memoryStateStore(), elsewhere)
    await mirror.offerHome((await records.home(key.publicKey))!.envelope)
    await assert.rejects(
      mirror.writeRoot(await signNextRoot(key, await records.root(key.publicKey), { tree, files: [] })),
      (err: NotHomeError) => {
        assert.equal(err.name, 'NotHomeError')
        assert.ok(err.home !== undefined && err.message.includes(err.home))
        return true
      }
    )
    assert.ok(await records.isHome(key.publicKey))
    assert.ok(!(await mirror.isHome(key.publicKey)))
  })

  it('follows the newest home record and refuses an older one (no rollback), also after a reload', async () => {
    const { key, records, store, self } = await setup()
    const mirrorPeer = await peerBytes()
    const h1 = await records.home(key.publicKey)
    const h2 = await signHome(key, mirrorPeer, h1)
    assert.equal(await records.offerHome(h2), 'accepted')
    assert.equal(await records.offerHome(h2), 'same')
    await assert.rejects(records.offerHome(h1!.envelope), StaleRecordError)
    // Another record under the same seq (a fork signed by the user) is refused too.
    await assert.rejects(records.offerHome(await signHome(key, self, h1)), StaleRecordError)
    const reloaded = new UserRecords(store, self)
    assert.equal((await reloaded.home(key.publicKey))?.record.seq, 2)
    assert.ok(!(await reloaded.isHome(key.publicKey)), 'the old home is home no more')
    await assert.rejects(reloaded.offerHome(h1!.envelope), StaleRecordError)
  })

  it('takes a copied root only when newer, and refuses a record changed on disk', async () => {
    const { key, records, tree, store, self } = await setup()
    await records.writeRoot(await signNextRoot(key, undefined, { tree, files: [] }))
    const r1 = await records.root(key.publicKey)
    await records.writeRoot(await signNextRoot(key, r1, { tree, files: [] }))
    const r2 = await records.root(key.publicKey)
    const copy = new UserRecords(memoryStateStore(), await peerBytes())
    assert.equal(await copy.offerRoot(r2!.envelope), 'accepted')
    await assert.rejects(copy.offerRoot(r1!.envelope), StaleRecordError)
    // A stranger's root for this user is refused at the signature.
    const stranger = await generateSigningKey()
    await assert.rejects(sign('root', { ...r2!.record, seq: 9 }, stranger), /must be the signing key/)
    const key2 = (await store.keys('root/'))[0]!
    const bytes = encodeEnvelope(r2!.envelope)
    bytes[bytes.length - 1]! ^= 1
    await store.put(key2, bytes)
    await assert.rejects(new UserRecords(store, self).root(key.publicKey), { name: 'SignatureError' })
  })
})
