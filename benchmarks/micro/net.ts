// @defs/net on loopback TCP. Transfer: shard put and get (framing, SHA-256 and CRC32C checks,
// per-peer caps) between two nodes, beside a raw libp2p stream carrying the same bytes (the
// ceiling: same noise + yamux connection, nothing but a byte count on the far side). Lookup: on a
// 20-node network, who holds a file by one gossipsub broadcast answered with signed records,
// beside kad-dht findProviders (first provider) and the full DHT path (providers, then a direct
// query for their records). Every path is checked once before it is timed.
import { deepStrictEqual, equal, ok } from 'node:assert/strict'
import { randomBytes } from '@defs/crypto'
import { createHost, type Host, MemoryShardStore } from '@defs/net'
import { measure, percentiles } from '../lib/measure.ts'
import { countBytes, loopback, RAW_PROTOCOL, rawSend, type Shard, shardOf } from '../lib/net-bench.ts'
import { Report } from '../lib/report.ts'
import { SinkStore } from '../lib/sink-store.ts'
import type { SuiteOptions } from '../run.ts'

const MiB = 1024 * 1024

async function transfer(report: Report): Promise<void> {
  const sink = new SinkStore()
  const memory = new MemoryShardStore()
  const server = await createHost({ ...loopback, shards: { store: sink } })
  const getter = await createHost({ ...loopback, shards: { store: memory } })
  const client = await createHost(loopback)
  try {
    await server.handle(RAW_PROTOCOL, countBytes, { maxInboundStreams: 64 })
    await client.dial(server.getMultiaddrs()[0]!)
    await client.dial(getter.getMultiaddrs()[0]!)
    for (const size of [1 * MiB, 4 * MiB]) {
      const parallel = 8
      const shards = await Promise.all(Array.from({ length: parallel }, () => shardOf(size)))
      const one = shards[0]!
      // check: the bytes arrive whole and verified, and come back equal
      const before = sink.stored
      deepStrictEqual(await client.services.shards.put(server.peerId, one.header, one.bytes), one.id)
      equal(sink.stored - before, size)
      await client.services.shards.put(getter.peerId, one.header, one.bytes)
      deepStrictEqual(await client.services.shards.get(getter.peerId, one.id), one.bytes)
      equal(await rawSend(client, server.peerId, one.bytes), size)
      const all = new Uint8Array(size * parallel)
      for (const [i, s] of shards.entries()) all.set(s.bytes, i * size)

      const put = (s: Shard) => client.services.shards.put(server.peerId, s.header, s.bytes, { id: s.id })
      const cases: [string, number, () => Promise<unknown>][] = [
        ['shard put', size, () => put(one)],
        [`shard put x${parallel}`, size * parallel, () => Promise.all(shards.map(put))],
        ['shard get', size, () => client.services.shards.get(getter.peerId, one.id)],
        ['raw stream', size, () => rawSend(client, server.peerId, one.bytes)],
        [
          `raw streams x${parallel}`,
          size * parallel,
          () => Promise.all(shards.map((s) => rawSend(client, server.peerId, s.bytes)))
        ],
        [`raw stream ${parallel}x bytes`, size * parallel, () => rawSend(client, server.peerId, all)]
      ]
      for (const [name, bytes, fn] of cases) {
        const m = await measure(fn, { bytes, warmup: 2, samples: 5, minSampleMs: 200 })
        report.add({
          case: `${name} ${size / MiB} MiB`,
          'MB/s': (m.gbps * 1000).toFixed(0),
          ms: m.seconds * 1000
        })
      }
    }
  } finally {
    await Promise.allSettled([server.stop(), getter.stop(), client.stop()])
  }
}

async function lookup(report: Report, nodes: number, rounds: number, k: number): Promise<void> {
  const stores = Array.from({ length: nodes }, () => new MemoryShardStore())
  const hosts: Host[] = []
  try {
    for (const store of stores)
      hosts.push(await createHost({ ...loopback, dhtReplication: k, shards: { store } }))
    // a sparse, connected graph: a ring plus two random links per node
    for (let i = 0; i < nodes; i++) {
      const targets = new Set([
        (i + 1) % nodes,
        Math.floor(Math.random() * nodes),
        Math.floor(Math.random() * nodes)
      ])
      targets.delete(i)
      for (const t of targets) await hosts[i]!.dial(hosts[t]!.getMultiaddrs()[0]!)
    }
    const deadline = Date.now() + 30_000
    while (!hosts.every((h) => h.services.index.topicPeers().length > 0)) {
      if (Date.now() > deadline) throw new Error('index topic mesh did not form within 30 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await new Promise((resolve) => setTimeout(resolve, 2500)) // a few gossipsub heartbeats to graft the mesh

    const broadcast: number[] = []
    const providers: number[] = []
    const dhtPath: number[] = []
    for (let round = 0; round < rounds; round++) {
      // each round: a new file held by 3 nodes, announced in the DHT; a 4th node looks it up
      const fileId = randomBytes(16)
      const order = [...hosts.keys()].sort(() => Math.random() - 0.5)
      const holders = order.slice(0, 3)
      const asker = hosts[order[3]!]!
      for (const h of holders) {
        const shard = await shardOf(1024)
        await stores[h]!.put(shard.id, shard.bytes, { ...shard.header, fileId })
        await hosts[h]!.services.index.announce(fileId, { signal: AbortSignal.timeout(20_000) })
      }
      const holderIds = new Set(holders.map((h) => hosts[h]!.peerId.toString()))

      let t = performance.now()
      const found = await asker.services.index.broadcast(fileId, { enough: 1, timeoutMs: 10_000 })
      const tBroadcast = performance.now() - t
      ok(
        found.locations.length > 0 && holderIds.has(found.locations[0]!.peer.toString()),
        `broadcast found a holder (${found.source}, ${found.rejected.join('; ')}, ${asker.services.index.topicPeers().length} topic peers, ${tBroadcast} ms)`
      )

      t = performance.now()
      const peers = await asker.services.index.routing.providers(fileId, 1, {
        signal: AbortSignal.timeout(20_000)
      })
      const tProviders = performance.now() - t
      ok(peers.length === 1 && holderIds.has(peers[0]!.toString()), 'findProviders found a holder')

      t = performance.now()
      const viaDht = await asker.services.index.lookupDht(fileId, { timeoutMs: 20_000 })
      const tDht = performance.now() - t
      ok(
        viaDht.locations.some((l) => holderIds.has(l.peer.toString())),
        'DHT path found a holder'
      )

      if (round > 0) {
        // round 0 warms connections and JIT
        broadcast.push(tBroadcast)
        providers.push(tProviders)
        dhtPath.push(tDht)
      }
    }
    const row = (name: string, ms: number[]) => {
      const p = percentiles(ms)
      report.add({
        case: `${name}, ${nodes} nodes, k=${k}`,
        median_ms: p.median,
        p95_ms: p.p95,
        lookups: ms.length
      })
    }
    row('broadcast lookup (first signed answer)', broadcast)
    row('kad-dht findProviders (first provider)', providers)
    row('kad-dht providers + direct query (all records)', dhtPath)
  } finally {
    await Promise.allSettled(hosts.map((h) => h.stop()))
  }
}

export async function run(options: SuiteOptions): Promise<void> {
  const report = new Report('net', options.json)
  report.note('loopback TCP, noise + yamux; other processes share the 2 cores, so figures are noisy')
  await transfer(report)
  report.printTable(['case', 'MB/s', 'ms'])
  const lookups = new Report('net', options.json)
  const rounds = options.args.includes('--quick') ? 6 : 31
  // k=20 (the default) at 20 nodes puts every provider record on every node, the asker too;
  // k=4 leaves them on 4 nodes, so findProviders has to walk the DHT as it would in a large one
  await lookup(lookups, 20, rounds, 20)
  await lookup(lookups, 20, rounds, 4)
  lookups.printTable(['case', 'median_ms', 'p95_ms', 'lookups'])
}
