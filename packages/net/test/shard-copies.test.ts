// A put's answer may carry the durable copies the holder's store counts (a paired node counts its
// partner's): the client hands them to `onAck`; a store that does not count says nothing.
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import type { ShardClaim } from '@defs/segment'
import { createHost, type Host } from '../src/index.ts'
import { MemoryShardStore } from '../src/memory-shard-store.ts'
import type { ShardBody, ShardStore } from '../src/shard-store.ts'
import { makeShard } from './fixtures.ts'

/** A memory store whose puts resolve with 2 copies, as a paired node's do. */
function countingStore(inner: MemoryShardStore): ShardStore {
  return new Proxy(inner, {
    get(target, key) {
      if (key === 'put') {
        return async (id: Uint8Array, body: ShardBody, claim: ShardClaim) => {
          await target.put(id, body, claim)
          return 2
        }
      }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

const hosts: Host[] = []
after(async () => {
  await Promise.all(hosts.map((h) => h.stop()))
})

it('the copies a store counts reach the uploader in the put answer', async () => {
  const held = new MemoryShardStore()
  const counting = countingStore(held)
  const plain = new MemoryShardStore()
  const [a, b, client] = await Promise.all([
    createHost({ host: '127.0.0.1', shards: { store: counting } }),
    createHost({ host: '127.0.0.1', shards: { store: plain } }),
    createHost({ host: '127.0.0.1' })
  ])
  hosts.push(a, b, client)
  await client.dial(a.getMultiaddrs()[0]!)
  await client.dial(b.getMultiaddrs()[0]!)
  const acks: { copies?: number }[] = []
  const onAck = (ack: { copies?: number }) => acks.push(ack)
  const s1 = await makeShard(1000)
  const s2 = await makeShard(1000)
  await client.services.shards.put(a.peerId, s1.header, s1.bytes, { id: s1.id, onAck })
  await client.services.shards.put(b.peerId, s2.header, s2.bytes, { id: s2.id, onAck })
  assert.deepEqual(acks, [{ copies: 2 }, {}])
  assert.equal(await held.has(s1.id), true)
})
