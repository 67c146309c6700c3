import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { toHex } from '@defs/crypto'
import { openTree } from '@defs/mirror'
import { type MirrorHost, mirrorHost } from './fixtures.ts'
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

describe('accounts on a home and its mirror (real libp2p hosts on 127.0.0.1)', () => {
  it('logs a user in only at home unless allowExternalLogin, and moves home with the passphrase alone', async () => {
    const home = await track(mirrorHost())
    const mirror = await track(mirrorHost())
    await mirror.dial(home.getMultiaddrs()[0]!)
    const alice = await home.services.mirror.accounts.create('alice', 'alice pass', cheapKdf)
    await home.services.mirror.accounts.create('bob', 'bob pass', cheapKdf)
    await assert.rejects(home.services.mirror.accounts.create('alice', 'x', cheapKdf), /known here already/)
    const listed = await home.services.mirror.accounts.list()
    assert.deepEqual(
      listed.map((u) => [u.name, u.isHome, u.seq, u.home]),
      [
        ['alice', true, 1, home.peerId.toString()],
        ['bob', true, 1, home.peerId.toString()]
      ]
    )
    const session = await home.services.mirror.accounts.login('alice', 'alice pass')
    assert.equal(toHex(session.publicKey.bytes), toHex(alice.account.publicKey.bytes))
    await assert.rejects(home.services.mirror.accounts.login('alice', 'bob pass'), {
      name: 'WrongPassphraseError'
    })
    await assert.rejects(home.services.mirror.accounts.login('carol', 'x'), { name: 'UnknownUserError' })

    // One user's key does not open another's tree.
    const bobKey = await home.services.mirror.accounts.login('bob', 'bob pass')
    const aliceRoot = (await home.services.mirror.records.root(alice.account.publicKey))!
    const aliceTree = (await home.services.mirror.blob(toHex(aliceRoot.record.tree)))!
    await assert.rejects(openTree(aliceTree, bobKey))
    assert.deepEqual(await home.services.mirror.readTree(session), { entries: [] })

    // The mirror holds alice's account with her root: she is listed there, not at home there.
    await mirror.services.mirror.addMirror(alice.account.publicKey, home.peerId)
    const atMirror = await mirror.services.mirror.accounts.list()
    assert.deepEqual(
      atMirror.map((u) => [u.name, u.isHome, u.home]),
      [['alice', false, home.peerId.toString()]]
    )
    await assert.rejects(mirror.services.mirror.accounts.login('alice', 'alice pass'), (err: Error) => {
      assert.equal(err.name, 'ExternalLoginError')
      assert.ok(err.message.includes(home.peerId.toString()), err.message)
      return true
    })
    const external = await mirror.services.mirror.accounts.login('alice', 'alice pass', {
      allowExternalLogin: true
    })
    assert.equal(toHex(external.publicKey.bytes), toHex(alice.account.publicKey.bytes))

    // Home gone; alice moves home to the mirror with her passphrase, and logs in there.
    await home.stop()
    await assert.rejects(mirror.services.mirror.accounts.moveHome('alice', 'wrong', mirror.peerId), {
      name: 'WrongPassphraseError'
    })
    const moved = await mirror.services.mirror.accounts.moveHome('alice', 'alice pass', mirror.peerId)
    assert.equal(moved.seq, 2)
    assert.ok(await mirror.services.mirror.records.isHome(alice.account.publicKey))
    await mirror.services.mirror.accounts.login('alice', 'alice pass')
  })
})
