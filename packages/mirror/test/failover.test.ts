import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { generateSigningKey } from '@defs/crypto'
import { type NotHomeError, StaleRecordError, signHome, signNextRoot } from '@defs/mirror'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { type MirrorHost, mirrorHost, nodeParts, publishRoot, storeFile, userFile } from './fixtures.ts'

const hosts: MirrorHost[] = []
after(async () => {
  await Promise.allSettled(hosts.map((h) => h.stop()))
})

async function track(host: Promise<MirrorHost>): Promise<MirrorHost> {
  const h = await host
  hosts.push(h)
  return h
}

describe('moving home without the old home (real libp2p hosts on 127.0.0.1)', () => {
  it('the mirror takes writes after a move signed by the user alone; the old home, back, refuses them', async () => {
    const user = await generateSigningKey()
    const homeKey = await generateKeyPair('Ed25519')
    const homeParts = nodeParts()
    const home = await track(mirrorHost(homeParts, { privateKey: homeKey }))
    const mirrorParts = nodeParts()
    const mirror = await track(mirrorHost(mirrorParts))
    await mirror.dial(home.getMultiaddrs()[0]!)
    const file = await userFile(user, 1)
    await storeFile(homeParts, user, file)
    await publishRoot(home, homeParts, user, [file])
    await mirror.services.mirror.addMirror(user.publicKey, home.peerId)
    const oldHome = (await home.services.mirror.records.home(user.publicKey))!
    const oldRoot = (await home.services.mirror.records.root(user.publicKey))!

    // A write at the mirror before the move is refused, naming the home.
    const early = await signNextRoot(user, await mirror.services.mirror.records.root(user.publicKey), {
      tree: new Uint8Array(8),
      files: []
    })
    await assert.rejects(mirror.services.mirror.writeRoot(early), (err: NotHomeError) => {
      assert.equal(err.name, 'NotHomeError')
      assert.equal(err.home, home.peerId.toString())
      return true
    })

    await home.stop()
    const move = await signHome(user, mirror.peerId.toMultihash().bytes, oldHome)
    const moved = await mirror.services.mirror.moveHome(move)
    assert.equal(moved.home, mirror.peerId.toString())
    assert.equal(moved.seq, 2)
    assert.deepEqual(moved.told, [], 'the old home is down: nobody to tell, and the move needs nobody')
    const second = await userFile(user, 1)
    await storeFile(mirrorParts, user, second)
    await publishRoot(mirror, mirrorParts, user, [file, second])
    assert.equal((await mirror.services.mirror.records.root(user.publicKey))?.record.seq, 2)
    const read = await mirror.services.mirror.readRoot(user.publicKey)
    assert.equal(read.source, 'local')
    assert.equal(read.root.seq, 2)

    // Replayed older records are refused at the new home.
    await assert.rejects(mirror.services.mirror.records.offerHome(oldHome.envelope), StaleRecordError)
    await assert.rejects(mirror.services.mirror.records.offerRoot(oldRoot.envelope), StaleRecordError)

    // The old home restarts with its identity and its disk; the mirror asked it for the user
    // before, so it asks the mirror back, learns of the move and refuses the user's writes.
    const back = await track(
      mirrorHost(homeParts, { privateKey: homeKey, bootstrap: [mirror.getMultiaddrs()[0]!.toString()] })
    )
    const stale = await signNextRoot(user, oldRoot, { tree: new Uint8Array(8), files: [] })
    await assert.rejects(back.services.mirror.writeRoot(stale), (err: NotHomeError) => {
      assert.equal(err.name, 'NotHomeError')
      assert.equal(err.home, mirror.peerId.toString())
      return true
    })
    assert.equal((await back.services.mirror.records.home(user.publicKey))?.record.seq, 2)
  })
})
