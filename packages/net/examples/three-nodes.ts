// Three nodes on 127.0.0.1: one stores a shard on another, a third finds the holder with one index
// broadcast and fetches the shard from it, verified against its id.
// Run: node --conditions=@defs/source packages/net/examples/three-nodes.ts
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import { createHost, type HostOptions, MemoryShardStore } from '@defs/net'
import { shardHeaderOf, signShardHeader } from '@defs/segment'

const local: HostOptions = {
  host: '127.0.0.1',
  privateAddresses: true,
  limits: { allow: ['/ip4/127.0.0.1/ipcidr/32'] }
}
const holder = await createHost({ ...local, shards: { store: new MemoryShardStore() } })
const uploader = await createHost(local)
const reader = await createHost(local)
try {
  await uploader.dial(holder.getMultiaddrs()[0]!)
  await reader.dial(holder.getMultiaddrs()[0]!)

  const fileId = randomBytes(16)
  const body = randomBytes(256 * 1024) // a shard of ciphertext
  const owner = await generateSigningKey() // signs the header: only it may delete its claim
  const id = await sha256(body)
  const fields = { fileId, slice: 0, index: 0, dataShards: 10, parityShards: 4 }
  const header = await signShardHeader(owner, id, shardHeaderOf(fields, body))
  await uploader.services.shards.put(holder.peerId, header, body, { id })

  // gossipsub needs a mesh before a broadcast reaches anyone
  while (reader.services.index.topicPeers().length === 0) await new Promise((r) => setTimeout(r, 50))
  const found = await reader.services.index.lookup(fileId, { enough: 1 })
  const location = found.locations[0]!
  console.log(
    `${location.peer} holds ${location.record.shards.length} shard(s) of the file (${found.source})`
  )

  const fetched = await reader.services.shards.get(location.peer, id)
  console.log(`fetched ${fetched.length} bytes, same as sent: ${Buffer.compare(fetched, body) === 0}`)
} finally {
  await Promise.all([holder.stop(), uploader.stop(), reader.stop()])
}
