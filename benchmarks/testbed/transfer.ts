// Transfer efficiency between two testbed hosts (veth through the bridge, no cap): a shard put
// and get of 4 MiB beside a raw libp2p stream of the same bytes on the same connection.
import { createTestbed } from '@defs/testbed'
import { Report } from '../lib/report.ts'
import { startAgents, stopAgents } from './agents.ts'

const MiB = 1024 * 1024

export async function run(json: boolean): Promise<void> {
  const report = new Report('testbed-transfer', json)
  const tb = await createTestbed({ hosts: 2, daemons: false })
  const agents = await startAgents(tb, 20)
  try {
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]]
    await a.child.call({ op: 'dial', addrs: [b.addr] })
    for (const size of [1 * MiB, 4 * MiB]) {
      const r = await a.child.call<{ putMBps: number; getMBps: number; rawMBps: number }>({
        op: 'transfer',
        to: b.peerId,
        size
      })
      const row = (c: string, MBps: number) =>
        report.add({
          case: `${c} ${size / MiB} MiB`,
          MBps,
          vsRaw: `${(MBps / r.rawMBps).toFixed(2)}x`,
          target: c === 'raw stream' ? '' : '>= 0.9x'
        })
      row('shard put', r.putMBps)
      row('shard get', r.getMBps)
      row('raw stream', r.rawMBps)
    }
  } finally {
    stopAgents(agents)
    await tb.teardown()
  }
  report.printTable(['case', 'MBps', 'vsRaw', 'target'])
}
