// Lookup cost on a testbed of 24 hosts (each a @defs/net host process in its own namespace,
// linked as a ring plus two random links each): who holds a new file, by the index broadcast
// (one gossipsub query, holders answer the asker directly) beside kad-dht findProviders (first
// provider), with k=20 (every node keeps every provider record) and k=4 (the DHT must be
// walked, as in a large network). Per lookup: sequential round trips, messages sent by all
// hosts, and the time to the first answer (a LAN time: the testbed adds no latency).
import { randomBytes } from 'node:crypto'
import { createTestbed } from '@defs/testbed'
import { percentiles } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'
import { type Agent, startAgents, stopAgents } from './agents.ts'

interface Counters {
  gossipMessages: number
  streams: Record<string, number>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function totals(agents: Agent[]): Promise<{ gossip: number; answers: number }> {
  const all = await Promise.all(agents.map((a) => a.child.call<Counters>({ op: 'counters' })))
  return {
    gossip: all.reduce((s, c) => s + c.gossipMessages, 0),
    answers: all.reduce((s, c) => s + (c.streams['/defs/index/1'] ?? 0), 0)
  }
}

async function network(hosts: number, k: number, rounds: number, report: Report): Promise<void> {
  const tb = await createTestbed({ hosts, daemons: false })
  let agents: Agent[] = []
  try {
    agents = await startAgents(tb, k)
    for (const [i, a] of agents.entries()) {
      const targets = new Set([
        (i + 1) % hosts,
        Math.floor(Math.random() * hosts),
        Math.floor(Math.random() * hosts)
      ])
      targets.delete(i)
      await a.child.call({ op: 'dial', addrs: [...targets].map((t) => agents[t]!.addr) })
    }
    const deadline = Date.now() + 30_000
    for (const a of agents) {
      while ((await a.child.call<{ topicPeers: number }>({ op: 'dial', addrs: [] })).topicPeers === 0) {
        if (Date.now() > deadline) throw new Error('the index topic mesh did not form within 30 s')
        await sleep(200)
      }
    }
    await sleep(2500) // a few gossipsub heartbeats to graft the mesh
    const rows = { broadcast: [] as number[][], dht: [] as number[][] }
    let dialled = 0
    for (let round = 0; round < rounds; round++) {
      const fileId = randomBytes(16).toString('hex')
      const order = [...agents.keys()].sort(() => Math.random() - 0.5)
      const holders = order.slice(0, 3).map((i) => agents[i]!)
      const asker = agents[order[3]!]!
      for (const h of holders) await h.child.call({ op: 'hold', fileId })
      const ids = new Set(holders.map((h) => h.peerId))
      const connected = new Set(
        (await asker.child.call<{ peers: string[] }>({ op: 'connected', peers: [...ids] })).peers
      )
      const c0 = await totals(agents)
      const b = await asker.child.call<{ ms: number; holder?: string }>({ op: 'broadcast', fileId })
      if (b.holder === undefined || !ids.has(b.holder))
        throw new Error(`broadcast found no holder (round ${round})`)
      await sleep(500) // the other holders' answers
      const c1 = await totals(agents)
      const d = await asker.child.call<{ ms: number; queries: number; roundTrips: number; provider: string }>(
        {
          op: 'providers',
          fileId
        }
      )
      if (!ids.has(d.provider)) throw new Error(`findProviders named ${d.provider}, not a holder`)
      if (round === 0) continue // warms connections and JIT
      if (!connected.has(b.holder)) dialled++
      rows.broadcast.push([b.ms, c1.gossip - c0.gossip + (c1.answers - c0.answers), 1])
      // each query is a request and its answer: two messages, as an index answer is one
      rows.dht.push([d.ms, d.queries * 2, d.roundTrips])
    }
    const n = rows.broadcast.length
    const add = (name: string, xs: number[][], extra: string) =>
      report.add({
        case: `${name}, ${hosts} hosts, k=${k}`,
        firstAnswerMs: percentiles(xs.map((x) => x[0]!)).median,
        messages: percentiles(xs.map((x) => x[1]!)).median,
        roundTrips: percentiles(xs.map((x) => x[2]!)).median,
        lookups: n,
        note: extra
      })
    add(
      'index broadcast (gossip + direct answers)',
      rows.broadcast,
      `${dialled}/${n} answers had to dial the asker first`
    )
    add('kad-dht findProviders', rows.dht, 'round trips: depth of the answering peer')
  } finally {
    stopAgents(agents)
    await tb.teardown()
  }
}

export async function run(json: boolean, args: string[]): Promise<void> {
  const report = new Report('testbed-lookup', json)
  const rounds = args.includes('--quick') ? 6 : 16
  const hosts = 24
  await network(hosts, 20, rounds, report)
  await network(hosts, 4, rounds, report)
  report.note(
    'messages: gossipsub messages sent by all hosts plus index answers (broadcast); DHT queries sent (findProviders)'
  )
  report.note(
    'target: one broadcast instead of 3-5 DHT hops; round trips and messages do not depend on the missing latency'
  )
  report.printTable(['case', 'roundTrips', 'messages', 'firstAnswerMs', 'lookups', 'note'])
}
