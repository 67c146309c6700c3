// A user's files and shares at their home and at a mirror (real libp2p hosts on 127.0.0.1): puts
// racing on one root all land (each lost compare-and-swap is made again on the new root), a name
// put again is replaced, a share is opened by the friend's key only, a grant is revoked (one friend,
// one file) and leaves with a removed file, and grants and revokes reach a mirror with the root.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateFileKey, randomBytes, toHex } from '@defs/crypto'
import { signRootChange } from '@defs/mirror'
import { decodeFriendsList, encodeFriendsList } from '@defs/segment'
import { type MirrorHost, mirrorHost, nodeParts, storeFile, userFile } from './fixtures.ts'
import { cheapKdf } from './helpers.ts'

const hosts: MirrorHost[] = []
after(async () => {
  await Promise.allSettled(hosts.map((h) => h.stop()))
})

describe('user files and shares', () => {
  it('adds racing puts, replaces a name, and shares a file that only the friend opens', async () => {
    const home = await mirrorHost()
    hosts.push(home)
    const accounts = home.services.mirror.accounts
    const files = home.services.mirror.files
    const { key: alice } = await accounts.create('alice', 'a', cheapKdf)
    const { key: bob } = await accounts.create('bob', 'b', cheapKdf)
    const { key: eve } = await accounts.create('eve', 'e', cheapKdf)

    const puts = ['a', 'b', 'c'].map((name) => ({
      name,
      fileId: randomBytes(16),
      fileKey: generateFileKey()
    }))
    await Promise.all(puts.map((p) => files.add(alice, p.name, p.fileId, p.fileKey)))
    const listed = await files.list(alice)
    assert.deepEqual(
      listed.map((f) => [f.name, toHex(f.fileId), toHex(f.fileKey)]).sort(),
      puts.map((p) => [p.name, toHex(p.fileId), toHex(p.fileKey)]).sort()
    )
    const root = await home.services.mirror.records.root(alice.publicKey)
    assert.equal(root?.record.seq, 4)
    assert.deepEqual(root.record.files.map(toHex).sort(), puts.map((p) => toHex(p.fileId)).sort())

    const again = { fileId: randomBytes(16), fileKey: generateFileKey() }
    assert.deepEqual(await files.add(alice, 'a', again.fileId, again.fileKey), { seq: 5 })
    const named = await files.find(alice, 'a')
    assert.equal(toHex(named!.fileId), toHex(again.fileId))
    assert.equal((await files.find(alice, toHex(puts[1]!.fileId)))?.name, 'b')
    const after5 = await home.services.mirror.records.root(alice.publicKey)
    assert.ok(!after5!.record.files.some((f) => toHex(f) === toHex(puts[0]!.fileId)))
    // bob's tree is his own: empty, whatever alice put.
    assert.deepEqual(await files.list(bob), [])

    const shared = await files.share(alice, 'b', bob.publicKey)
    assert.equal(shared.seq, 6)
    const forBob = await files.sharedWith(bob)
    assert.deepEqual(
      forBob.map((s) => [toHex(s.from.bytes), toHex(s.fileId), toHex(s.fileKey)]),
      [[toHex(alice.publicKey.bytes), toHex(puts[1]!.fileId), toHex(puts[1]!.fileKey)]]
    )
    assert.deepEqual(await files.sharedWith(eve), [])
    assert.deepEqual(await files.sharedWith(alice), [])
    await assert.rejects(files.share(alice, 'nope', bob.publicKey), { name: 'UnknownFileError' })
    await assert.rejects(files.share(alice, 'b', alice.publicKey), { name: 'InvalidAccountError' })
    await assert.rejects(files.share(eve, 'b', bob.publicKey), { name: 'UnknownFileError' })

    // eve signs a friends list naming bob with a grant that is not one: bob's other shares still show.
    const eveRoot = await home.services.mirror.records.root(eve.publicKey)
    const junk = encodeFriendsList({ friends: [{ key: bob.publicKey, grants: [randomBytes(120)] }] })
    await home.services.mirror.writeRoot(await signRootChange(eve, eveRoot!, { friends: junk }), [junk])
    assert.deepEqual(
      (await files.sharedWith(bob)).map((s) => toHex(s.fileId)),
      [toHex(puts[1]!.fileId)]
    )

    // A recovery split keeps the grants, and a later share keeps the recovery share.
    await accounts.setupRecovery(alice, 1, [bob.publicKey])
    await files.share(alice, 'c', bob.publicKey)
    assert.equal((await files.sharedWith(bob)).length, 2)
    const share = await accounts.recoveryShare(alice.publicKey, bob)
    assert.equal(toHex(share.holder.bytes), toHex(bob.publicKey.bytes))

    const removed = await files.remove(alice, 'c')
    assert.equal(toHex(removed.file.fileId), toHex(puts[2]!.fileId))
    // Its grant left with it; bob keeps the other grant and his recovery share.
    assert.deepEqual(
      (await files.sharedWith(bob)).map((s) => toHex(s.fileId)),
      [toHex(puts[1]!.fileId)]
    )
    assert.equal(
      toHex((await accounts.recoveryShare(alice.publicKey, bob)).holder.bytes),
      toHex(bob.publicKey.bytes)
    )
    assert.deepEqual((await files.list(alice)).map((f) => f.name).sort(), ['a', 'b'])
    const last = await home.services.mirror.records.root(alice.publicKey)
    assert.equal(last?.record.seq, removed.seq)
    assert.ok(!last.record.files.some((f) => toHex(f) === toHex(puts[2]!.fileId)))
    await assert.rejects(files.remove(alice, 'c'), { name: 'UnknownFileError' })
  })

  it('revokes one friend’s grant of one file, keeping the others', async () => {
    const home = await mirrorHost()
    hosts.push(home)
    const { accounts, files, records } = home.services.mirror
    const { key: alice } = await accounts.create('alice', 'a', cheapKdf)
    const { key: bob } = await accounts.create('bob', 'b', cheapKdf)
    const { key: eve } = await accounts.create('eve', 'e', cheapKdf)
    const doc = { fileId: randomBytes(16), fileKey: generateFileKey() }
    const pic = { fileId: randomBytes(16), fileKey: generateFileKey() }
    await files.add(alice, 'doc', doc.fileId, doc.fileKey)
    await files.add(alice, 'pic', pic.fileId, pic.fileKey)
    await files.share(alice, 'doc', bob.publicKey)
    await files.share(alice, 'pic', bob.publicKey)
    await files.share(alice, 'doc', eve.publicKey)
    const before = (await records.root(alice.publicKey))!.record.seq

    const done = await files.revoke(alice, 'doc', bob.publicKey)
    assert.deepEqual([done.seq, done.revoked, done.file.name], [before + 1, 1, 'doc'])
    assert.deepEqual(
      (await files.sharedWith(bob)).map((s) => toHex(s.fileId)),
      [toHex(pic.fileId)]
    )
    assert.deepEqual(
      (await files.sharedWith(eve)).map((s) => toHex(s.fileId)),
      [toHex(doc.fileId)]
    )
    await assert.rejects(files.revoke(alice, 'doc', bob.publicKey), { name: 'NotSharedError' })
    await assert.rejects(files.revoke(alice, 'nope', bob.publicKey), { name: 'UnknownFileError' })
    await assert.rejects(files.revoke(eve, 'doc', alice.publicKey), { name: 'UnknownFileError' })
    // Shared again, then revoked by id: bob's last grant goes, and bob leaves the friends list.
    await files.share(alice, 'doc', bob.publicKey)
    await files.revoke(alice, toHex(doc.fileId), bob.publicKey)
    await files.revoke(alice, 'pic', bob.publicKey)
    assert.deepEqual(await files.sharedWith(bob), [])
    const root = (await records.root(alice.publicKey))!
    const list = decodeFriendsList((await home.services.mirror.blob(toHex(root.record.friends!)))!)
    assert.deepEqual(
      list.friends.map((f) => toHex(f.key.bytes)),
      [toHex(eve.publicKey.bytes)]
    )
    assert.deepEqual((await files.list(alice)).map((f) => f.name).sort(), ['doc', 'pic'])
  })

  it('brings the grant to a mirror with the root, where the friend finds it', async () => {
    const homeParts = nodeParts()
    const home = await mirrorHost(homeParts)
    const mirror = await mirrorHost()
    hosts.push(home, mirror)
    await mirror.dial(home.getMultiaddrs()[0]!)
    const { key: alice } = await home.services.mirror.accounts.create('alice', 'a', cheapKdf)
    const { key: bob } = await home.services.mirror.accounts.create('bob', 'b', cheapKdf)
    const file = await userFile(alice)
    await storeFile(homeParts, alice, file)
    const fileKey = generateFileKey()
    await home.services.mirror.files.add(alice, 'doc', file.fileId, fileKey)
    await home.services.mirror.files.share(alice, 'doc', bob.publicKey)

    const report = await mirror.services.mirror.addMirror(alice.publicKey, home.peerId)
    assert.equal(report.seq, 3)
    const there = await mirror.services.mirror.files.sharedWith(bob)
    assert.deepEqual(
      there.map((s) => [toHex(s.fileId), toHex(s.fileKey)]),
      [[toHex(file.fileId), toHex(fileKey)]]
    )
    // The mirror holds alice's tree sealed: her key opens it there too.
    assert.deepEqual(
      (await mirror.services.mirror.files.list(alice)).map((f) => f.name),
      ['doc']
    )
    // Revoked at home: the mirror's next sync takes the grant away there too.
    await home.services.mirror.files.revoke(alice, 'doc', bob.publicKey)
    assert.equal((await mirror.services.mirror.sync(alice.publicKey)).seq, 4)
    assert.deepEqual(await mirror.services.mirror.files.sharedWith(bob), [])
  })
})
