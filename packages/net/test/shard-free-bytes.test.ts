// A serving node may tell, in its `has` and `ok` answers, how many bytes it can still store: the
// asking side hands the claim to `onPeerFreeBytes` with the peer who made it; a node that does
// not tell says nothing, and an error answer carries no claim.
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import { createHost, type Host } from '../src/index.ts'
import { MemoryShardStore } from '../src/memory-shard-store.ts'
import { makeShard } from './fixtures.ts'

const hosts: Host[] = []
after(async () => {
  await Promise.all(hosts.map((h) => h.stop()))
})

it('has and put answers carry the free bytes the answering node tells', async () => {
  let free = 7_000_000
  const told: [string, number][] = []
  const [telling, silent, client] = await Promise.all([
    createHost({ host: '127.0.0.1', shards: { store: new MemoryShardStore(), freeBytes: () => free } }),
    createHost({ host: '127.0.0.1', shards: { store: new MemoryShardStore() } }),
    createHost({
      host: '127.0.0.1',
      shards: { onPeerFreeBytes: (peer, bytes) => told.push([peer.toString(), bytes]) }
    })
  ])
  hosts.push(telling, silent, client)
  await client.dial(telling.getMultiaddrs()[0]!)
  await client.dial(silent.getMultiaddrs()[0]!)
  const s = await makeShard(1000)
  assert.deepEqual(await client.services.shards.has(telling.peerId, [s.id]), [false])
  free = 6_999_000.7
  await client.services.shards.put(telling.peerId, s.header, s.bytes, { id: s.id })
  await client.services.shards.has(silent.peerId, [s.id])
  await client.services.shards.put(silent.peerId, s.header, s.bytes, { id: s.id })
  await assert.rejects(client.services.shards.get(telling.peerId, (await makeShard(10)).id))
  const t = telling.peerId.toString()
  assert.deepEqual(told, [
    [t, 7_000_000],
    [t, 6_999_000]
  ])
})
