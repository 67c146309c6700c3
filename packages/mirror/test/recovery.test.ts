import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateSigningKey, toHex } from '@defs/crypto'
import { type GivenShare, openRecoveryShare, userIdOf } from '@defs/mirror'
import { type MirrorHost, mirrorHost, nodeParts, publishRoot, storeFile, userFile } from './fixtures.ts'
import { cheapKdf } from './helpers.ts'

const hosts: MirrorHost[] = []
after(async () => {
  await Promise.allSettled(hosts.map((h) => h.stop()))
})

async function track(host: Promise<MirrorHost>): Promise<MirrorHost> {
  const h = await host
  hosts.push(h)
  return h
}

describe('account recovery by threshold shares (real libp2p hosts on 127.0.0.1)', () => {
  it('brings the account back on a fresh node with T of N shares, refuses T-1, names a tampered share', async () => {
    const homeParts = nodeParts()
    const home = await track(mirrorHost(homeParts))
    const { account } = await home.services.mirror.accounts.create('alice', 'old pass', cheapKdf)
    const alice = await home.services.mirror.accounts.login('alice', 'old pass')
    const file = await userFile(alice, 1)
    await storeFile(homeParts, alice, file)
    const tree = await home.services.mirror.readTree(alice)
    assert.deepEqual(tree, { entries: [] })
    const friends = await Promise.all([1, 2, 3].map(() => generateSigningKey()))
    const setup = await home.services.mirror.accounts.setupRecovery(
      alice,
      2,
      friends.map((f) => f.publicKey)
    )
    assert.equal(setup.seq, 2)
    // The file goes into alice's root too, so the fresh node copies it.
    const current = (await home.services.mirror.records.root(alice.publicKey))!
    await publishRoot(home, homeParts, alice, [file])
    assert.equal((await home.services.mirror.records.root(alice.publicKey))?.record.seq, 3)
    assert.deepEqual(
      (await home.services.mirror.records.root(alice.publicKey))?.record.friends,
      current.record.friends,
      'the friends list stays through a tree change'
    )

    // A fresh node mirrors alice; then her home and her passphrase are gone.
    const freshParts = nodeParts()
    const fresh = await track(mirrorHost(freshParts))
    await fresh.dial(home.getMultiaddrs()[0]!)
    await fresh.services.mirror.addMirror(account.publicKey, home.peerId)
    await home.stop()
    const root = (await fresh.services.mirror.records.root(account.publicKey))!
    const friendsBlob = (await fresh.services.mirror.blob(toHex(root.record.friends!)))!
    const shares: GivenShare[] = await Promise.all(friends.map((f) => openRecoveryShare(friendsBlob, f)))

    await assert.rejects(
      fresh.services.mirror.accounts.recover(account.publicKey, shares.slice(0, 1), 'new pass', cheapKdf),
      (err: Error & { missing: number }) => {
        assert.equal(err.name, 'NotEnoughRecoverySharesError')
        assert.equal(err.missing, 1)
        assert.match(err.message, /needs 2 shares, got 1: 1 more/)
        return true
      }
    )
    const bytes = shares[1]!.share.bytes.slice()
    bytes[0]! ^= 1
    const tampered: GivenShare = {
      holder: shares[1]!.holder,
      share: { index: shares[1]!.share.index, bytes }
    }
    await assert.rejects(
      fresh.services.mirror.accounts.recover(account.publicKey, [shares[0]!, tampered], 'new pass', cheapKdf),
      (err: Error & { holder: string }) => {
        assert.equal(err.name, 'RecoveryShareError')
        assert.equal(err.holder, userIdOf(friends[1]!.publicKey))
        return true
      }
    )
    const stranger = await generateSigningKey()
    await assert.rejects(openRecoveryShare(friendsBlob, stranger), { name: 'RecoveryShareError' })

    const recovered = await fresh.services.mirror.accounts.recover(
      account.publicKey,
      [shares[2]!, shares[0]!],
      'new pass',
      cheapKdf
    )
    assert.equal(recovered.name, 'alice')
    assert.equal(userIdOf(recovered.key.publicKey), userIdOf(account.publicKey))
    assert.ok(
      await fresh.services.mirror.records.isHome(account.publicKey),
      'the fresh node is alice’s home now'
    )
    await assert.rejects(fresh.services.mirror.accounts.login('alice', 'old pass'), {
      name: 'WrongPassphraseError'
    })
    const session = await fresh.services.mirror.accounts.login('alice', 'new pass')
    const readBack = await fresh.services.mirror.readTree(session)
    assert.deepEqual(
      readBack.entries.map((e) => toHex(e.fileId)),
      [toHex(file.fileId)]
    )
    assert.ok(
      await freshParts.content.manifests.get(file.fileId, account.publicKey),
      'her file’s manifest is held here'
    )
  })
})
