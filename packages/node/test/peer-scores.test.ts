// The scorer that placement, pairing and repair read is fed by what peers really do, and keeps it
// across a restart: a put measures each holder's transfer rate; `peers.list()` shows the factors
// behind every score; a node restarted on its directory (no transfer since) still has them.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode, type PeerInfo } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

describe('peer scores', () => {
  let net: TestNetwork
  let restarted: DefsNode | undefined
  before(async () => {
    net = await startNetwork(3)
  })
  after(async () => {
    await restarted?.stop()
    await net?.stop()
  })

  it('come from measured transfers, show their factors, and survive a restart', async () => {
    const [owner] = net.nodes
    const src = join(net.root, 'src')
    const bytes = randomBytes(4 * 1024 * 1024)
    await writeFile(src, bytes)
    // 2+1 over 3 nodes: every node holds one 2 MiB shard, so the owner sent one to each peer.
    const put = await owner!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const others = net.nodes.slice(1).map((n) => n.peerId)
    const holders = new Set(put.placement.flatMap((s) => s.shards.map((p) => p.peerId)))
    for (const id of others) assert.ok(holders.has(id), `${id} holds a shard`)

    const measured = new Map((await owner!.peers.list()).map((p) => [p.peerId, p]))
    for (const id of others) {
      const peer = measured.get(id)!
      for (const name of ['latency', 'bandwidth', 'capacity', 'stability', 'audit', 'diversity'] as const)
        assert.ok(peer.factors[name] >= 0 && peer.factors[name] <= 1, `${name} in [0, 1]`)
      // Measured: the factor left the neutral prior (which way depends on the machine's speed).
      assert.notEqual(peer.factors.bandwidth, 0.5, `bandwidth of ${id} was measured`)
    }

    // The owner stops (scores written down) and comes back on its directory; nothing is sent since.
    const dir = join(net.root, 'n0')
    await owner!.stop()
    net.nodes.splice(0, 1)
    restarted = await createNode({ dataDir: dir, workerNum: 1, bootstrap: net.nodes[0]!.addresses() })
    for (const n of net.nodes) await restarted.peers.connect(n.addresses()[0]!)
    let back = new Map<string, PeerInfo>()
    await waitFor(async () => {
      back = new Map((await restarted!.peers.list()).map((p) => [p.peerId, p]))
      return others.every((id) => back.has(id))
    }, 'the restarted owner connected to both peers')
    for (const id of others) {
      const before = measured.get(id)!.factors.bandwidth
      const now = back.get(id)!.factors.bandwidth
      // Evidence fades with a one-hour half-life: seconds later it is all but the same.
      assert.ok(Math.abs(now - before) < 0.01, `bandwidth of ${id} kept: ${before} then ${now}`)
    }
    // And the file reads back from the restarted owner.
    const out = join(net.root, 'out')
    await restarted.files.get(put.capability, out)
    assert.ok((await readFile(out)).equals(bytes))
  })
})
