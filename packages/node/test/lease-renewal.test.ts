// Who may renew a lease, over real libp2p on 127.0.0.1 between in-process nodes, each with its
// own keys: the file's owner and a peer holding shards of the file extend a holder's lease; a
// stranger (no shard of the file, its own user key) extends nothing, whatever it asks; nobody
// shortens a lease; a renewal addressed to another holder is refused.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sendRequest } from '@defs/net'
import { encodeEnvelope, sign } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { fromHex, toHex } from '../src/disk/hex.ts'
import { type DefsNode, type LeaseService, leases, type NodeComponents } from '../src/index.ts'
import { LEASE_PROTOCOL, renewLeases } from '../src/leases/lease-protocol.ts'
import { startNetwork, type TestNetwork } from './network/devnet.ts'

type Parts = { parts: NodeComponents; leases: LeaseService }
const LEASE = 60_000

describe('lease renewals', () => {
  let net: TestNetwork
  let owner: DefsNode<Parts>
  let stranger: DefsNode<Parts>
  before(async () => {
    net = await startNetwork(5, {
      minSliceSize: 64 * 1024,
      maxSliceSize: 64 * 1024,
      services: {
        parts: { create: (c: NodeComponents) => c },
        leases: leases({ leaseDuration: LEASE, leaseGrace: LEASE })
      }
    })
    owner = net.nodes[0] as DefsNode<Parts>
    stranger = net.nodes[4] as DefsNode<Parts>
  })
  after(async () => {
    await net?.stop()
  })

  it('are taken from the owner and from holders of the file, never from a stranger, and never shorten', async () => {
    const source = join(net.root, 'file')
    await writeFile(source, randomBytes(300_000))
    const put = await owner.files.put(source, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const fileId = fromHex(put.fileId)
    const owned = owner.services.parts.userKey.publicKey
    const holders = net.nodes.slice(1, 4) as DefsNode<Parts>[]
    const held = async (n: DefsNode<Parts>): Promise<string[]> =>
      (await n.services.parts.shards.shardsOf(fileId)).map(toHex)
    const withShards: DefsNode<Parts>[] = []
    for (const n of holders) if ((await held(n)).length > 0) withShards.push(n)
    // The stranger was placed on too, perhaps: it must hold nothing of the file for this test.
    for (const id of await held(stranger)) {
      await stranger.services.parts.shards.unclaim(fromHex(id), fileId, owned)
    }
    assert.ok(withShards.length >= 2, 'two holders of the file besides the owner and the stranger')
    const [holder, other] = withShards as [DefsNode<Parts>, DefsNode<Parts>]
    await holder.services.leases.collect() // starts the leases of what it holds
    const shards = await held(holder)
    const until = (): number[] => shards.map((s) => holder.services.parts.leases.until(s, put.fileId)!)
    const first = until()
    assert.ok(
      first.every((u) => u > Date.now()),
      'each claim has a running lease'
    )
    const ask = new Map([[holder.peerId, new Set(shards)]])

    // A stranger, signing with its own key, naming the owner: no shard of the file, nothing extended.
    const far = Date.now() + 10 * LEASE
    assert.deepEqual(await renewLeases(stranger.services.parts, fileId, owned, ask, far), [])
    assert.deepEqual(until(), first, 'the stranger extended nothing')
    // Nobody shortens: not the stranger, not the owner.
    assert.deepEqual(await renewLeases(stranger.services.parts, fileId, owned, ask, 1), [])
    await renewLeases(owner.services.parts, fileId, owned, ask, Date.now() + 1000)
    assert.deepEqual(until(), first, 'an earlier until shortened nothing')

    // The owner extends, at most the holder's own lease from now.
    const before = Date.now()
    assert.deepEqual(await renewLeases(owner.services.parts, fileId, owned, ask, far), [holder.peerId])
    const byOwner = until()
    byOwner.forEach((u, i) => {
      assert.ok(u > first[i]!, 'the owner extended the lease')
      assert.ok(u <= Date.now() + LEASE && u >= before + LEASE, 'by the holder’s leaseDuration, not more')
    })

    // Another holder of the file (its own user key, which owns no claim here) extends too.
    await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(await renewLeases(other.services.parts, fileId, owned, ask, far), [holder.peerId])
    until().forEach((u, i) => {
      assert.ok(u > byOwner[i]!, 'a holder of the file extended the lease')
    })

    // A renewal signed by the owner but addressed to another holder is refused.
    const misdirected = await sign(
      'lease',
      {
        fileId,
        owner: owned,
        shards: shards.map(fromHex),
        until: far,
        recipient: peerIdFromString(other.peerId).toMultihash().bytes
      },
      owner.services.parts.userKey
    )
    const c = owner.services.parts
    const answer = await sendRequest(
      { openStream: c.host.dialProtocol.bind(c.host) },
      peerIdFromString(holder.peerId),
      LEASE_PROTOCOL,
      encodeEnvelope(misdirected),
      { maxResponseBytes: 1 }
    )
    assert.deepEqual([...answer], [0], 'refused: it was meant for another holder')
  })
})
