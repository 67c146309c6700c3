// The README's first lines, run as written (with a memory manifest store and asserts added).
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { memoryBlobStore, memoryStateStore, mirrorService } from '@defs/mirror'
import { createHost, MemoryShardStore } from '@defs/net'
import { memoryManifestStore } from './fixtures.ts'

it('the README example runs', async () => {
  const manifests = memoryManifestStore()
  const parts = () => ({
    state: memoryStateStore(),
    content: { manifests, shards: new MemoryShardStore(), blobs: memoryBlobStore() }
  })
  const [home, mirror] = await Promise.all(
    [1, 2].map(() => createHost({ host: '127.0.0.1', services: { mirror: mirrorService(parts()) } }))
  )
  try {
    const { account } = await home!.services.mirror.accounts.create('alice', 'correct horse battery staple')
    await mirror!.dial(home!.getMultiaddrs()[0]!)
    const report = await mirror!.services.mirror.addMirror(account.publicKey, home!.peerId)
    assert.equal(report.seq, 1)
    assert.equal(report.copied.blobs, 2)
    await home!.stop()
    const moved = await mirror!.services.mirror.accounts.moveHome(
      'alice',
      'correct horse battery staple',
      mirror!.peerId
    )
    assert.equal(moved.home, mirror!.peerId.toString())
    assert.ok(await mirror!.services.mirror.records.isHome(account.publicKey))
  } finally {
    await Promise.allSettled([home!.stop(), mirror!.stop()])
  }
})
