// One @defs/net host as a process in a testbed namespace, driven by JSON lines (line-child.ts):
// the lookup benchmark runs 20+ of them, the transfer benchmark two. Counts, for the
// benchmark only, the gossipsub messages it sends (published or forwarded) and the streams it
// opens by protocol, by wrapping two methods of this process's own libp2p node.
//   node net-agent.ts ADDRESS K   (listens on ADDRESS:4001, DHT bucket size K)

import { createInterface } from 'node:readline'
import { createHost, fileCid, type Host } from '@defs/net'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { measure } from '../lib/measure.ts'
import { countBytes, RAW_PROTOCOL, rawSend, shardOf } from '../lib/net-bench.ts'
import { SinkStore } from '../lib/sink-store.ts'

const [address, k] = process.argv.slice(2) as [string, string]
// keeps what it is sent (one copy per id, so a repeated put still crosses the wire): gets and
// index answers are served from it
const store = new SinkStore(() => true)
const host: Host = await createHost({
  host: address,
  port: 4001,
  privateAddresses: true,
  dhtReplication: Number(k),
  limits: { allow: ['/ip4/198.18.0.0/ipcidr/15'] },
  shards: { store }
})
await host.handle(RAW_PROTOCOL, countBytes, { maxInboundStreams: 64 })

let gossipMessages = 0
const streams: Record<string, number> = {}
const pubsub = host.services.pubsub as unknown as {
  sendRpc(id: string, rpc: { messages?: unknown[] }): boolean
}
const sendRpc = pubsub.sendRpc.bind(pubsub)
pubsub.sendRpc = (id, rpc) => {
  gossipMessages += rpc.messages?.length ?? 0
  return sendRpc(id, rpc)
}
const manager = (
  host as unknown as {
    components: { connectionManager: { openStream: (...a: unknown[]) => Promise<unknown> } }
  }
).components.connectionManager
const openStream = manager.openStream.bind(manager)
manager.openStream = (peer: unknown, protocols: unknown, ...rest: unknown[]) => {
  for (const p of [protocols].flat() as string[]) streams[p] = (streams[p] ?? 0) + 1
  return openStream(peer, protocols, ...rest)
}

const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))

type Command = Record<string, unknown> & { op: string }

/** findProviders until the first provider, with the queries it sent and how deep they went. */
async function providers(fileId: Uint8Array) {
  const depth = new Map<string, number>()
  let queries = 0
  const t0 = performance.now()
  for await (const e of host.services.dht.findProviders(await fileCid(fileId), {
    signal: AbortSignal.timeout(20_000)
  })) {
    if (e.name === 'SEND_QUERY') {
      queries++
      if (!depth.has(e.to.toString())) depth.set(e.to.toString(), 1)
    } else if (e.name === 'PEER_RESPONSE') {
      // a response from ourselves is our own provider store: no round trip
      const d = e.from.equals(host.peerId) ? 0 : (depth.get(e.from.toString()) ?? 1)
      for (const c of e.closer) if (!depth.has(c.id.toString())) depth.set(c.id.toString(), d + 1)
      if (e.providers.length > 0)
        return { ms: performance.now() - t0, queries, roundTrips: d, provider: e.providers[0]!.id.toString() }
    } else if (e.name === 'PROVIDER' && e.providers.length > 0) {
      // from our own provider store when no query has gone out yet
      return {
        ms: performance.now() - t0,
        queries,
        roundTrips: queries === 0 ? 0 : (depth.get(e.from.toString()) ?? 1),
        provider: e.providers[0]!.id.toString()
      }
    }
  }
  throw new Error('findProviders found no provider')
}

async function handle(c: Command): Promise<unknown> {
  switch (c.op) {
    case 'addr':
      return { addr: `/ip4/${address}/tcp/4001/p2p/${host.peerId}`, peerId: host.peerId.toString() }
    case 'dial':
      for (const a of c.addrs as string[]) await host.dial(multiaddr(a)).catch(() => {})
      return { peers: host.getPeers().length, topicPeers: host.services.index.topicPeers().length }
    case 'hold': {
      const fileId = fromHex(c.fileId as string)
      const shard = await shardOf(1024)
      await store.put(shard.id, shard.bytes, { ...shard.header, fileId })
      await host.services.index.announce(fileId, { signal: AbortSignal.timeout(30_000) })
      return { ok: true }
    }
    case 'connected':
      return {
        peers: (c.peers as string[]).filter((p) => host.getConnections(peerIdFromString(p)).length > 0)
      }
    case 'broadcast': {
      const t0 = performance.now()
      const found = await host.services.index.broadcast(fromHex(c.fileId as string), {
        enough: 1,
        timeoutMs: 10_000
      })
      const ms = performance.now() - t0
      return { ms, holder: found.locations[0]?.peer.toString(), source: found.source }
    }
    case 'providers':
      return providers(fromHex(c.fileId as string))
    case 'counters':
      return { gossipMessages, streams }
    case 'transfer':
      return transfer(peerIdFromString(c.to as string), c.size as number)
    default:
      throw new Error(`unknown op ${c.op}`)
  }
}

/** Shard put and get to `to` beside a raw stream of the same bytes, median MB/s of each. */
async function transfer(to: PeerId, size: number) {
  const shard = await shardOf(size)
  const shards = host.services.shards
  // checked before timed: the put arrives verified and the get comes back equal
  await shards.put(to, shard.header, shard.bytes, { id: shard.id })
  const back = await shards.get(to, shard.id)
  if (Buffer.compare(back, shard.bytes) !== 0) throw new Error('shard get returned other bytes')
  if ((await rawSend(host, to, shard.bytes)) !== size) throw new Error('raw stream lost bytes')
  const opts = { bytes: size, warmup: 2, samples: 5, minSampleMs: 300 }
  const put = await measure(() => shards.put(to, shard.header, shard.bytes, { id: shard.id }), opts)
  const get = await measure(() => shards.get(to, shard.id), opts)
  const raw = await measure(() => rawSend(host, to, shard.bytes), opts)
  return { putMBps: put.gbps * 1000, getMBps: get.gbps * 1000, rawMBps: raw.gbps * 1000 }
}

process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`)
for await (const line of createInterface({ input: process.stdin })) {
  try {
    process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line) as Command))}\n`)
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`)
  }
}
await host.stop()
