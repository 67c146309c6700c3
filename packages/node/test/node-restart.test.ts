// A node that comes back announces again what it owns: after every node of a network restarted
// (their DHTs keep records in memory only, so all of them forgot), a fresh peer finds the owner's
// manifest and the owner as a provider in the DHT, and the file still reads back.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createHost, type Host } from '@defs/net'
import { parseFileRef } from '@defs/segment'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type DefsNode } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

describe('a restarted node', () => {
  let net: TestNetwork
  const restarted: DefsNode[] = []
  let reader: Host | undefined
  before(async () => {
    net = await startNetwork(3)
  })
  after(async () => {
    await reader?.stop()
    await Promise.allSettled(restarted.map((n) => n.stop()))
    await net?.stop()
  })

  it('republishes its files to the DHT by itself, and they read back', async () => {
    const [owner] = net.nodes
    const src = join(net.root, 'src')
    const bytes = randomBytes(200_000)
    await writeFile(src, bytes)
    const put = await owner!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const ref = parseFileRef(put.capability)

    const dirs = net.nodes.map((_, i) => join(net.root, `n${i}`))
    await Promise.all(net.nodes.splice(0).map((n) => n.stop()))
    const holders = [await createNode({ dataDir: dirs[1]!, workerNum: 1 })]
    restarted.push(holders[0]!)
    holders.push(await createNode({ dataDir: dirs[2]!, workerNum: 1, bootstrap: holders[0]!.addresses() }))
    restarted.push(holders[1]!)
    const back = await createNode({ dataDir: dirs[0]!, workerNum: 1, bootstrap: holders[0]!.addresses() })
    restarted.push(back)
    for (const h of holders) await back.peers.connect(h.addresses()[0]!)

    // A peer that was never part of the network before the restart asks the DHT alone.
    reader = await createHost({ host: '127.0.0.1', privateAddresses: true })
    await reader.dial(multiaddr(back.addresses()[0]!))
    const routing = reader.services.index.routing
    let found: Awaited<ReturnType<typeof routing.getManifest>>
    await waitFor(
      async () => {
        // A query that times out (the owner not yet republished) is asked again, boundedly.
        found = await routing
          .getManifest(ref.fileId, ref.owner!, { signal: AbortSignal.timeout(2000) })
          .catch(() => undefined)
        return found !== undefined
      },
      "the owner's manifest in the DHT",
      30_000
    )
    assert.equal(found!.manifest.size, bytes.length)
    const providers = await routing.providers(ref.fileId, 5, { signal: AbortSignal.timeout(5000) })
    assert.ok(
      providers.some((p) => p.toString() === back.peerId),
      `the owner ${back.peerId} is a provider again, got ${providers.map(String).join(', ')}`
    )

    const out = join(net.root, 'out')
    await holders[1]!.files.get(put.capability, out)
    assert.deepEqual(await readFile(out), bytes)
  })
})
