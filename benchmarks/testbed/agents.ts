// net-agent.ts processes, one per testbed host.
import { fileURLToPath } from 'node:url'
import type { Testbed } from '@defs/testbed'
import { LineChild } from './line-child.ts'

const agentScript = fileURLToPath(new URL('./net-agent.ts', import.meta.url))

export interface Agent {
  child: LineChild
  addr: string
  peerId: string
}

export async function startAgents(tb: Testbed, k: number): Promise<Agent[]> {
  return Promise.all(
    tb.hosts.map(async (h) => {
      const child = await LineChild.spawn(h.namespace, [
        process.execPath,
        '--conditions=@defs/source',
        agentScript,
        h.address,
        String(k)
      ])
      const { addr, peerId } = await child.call<{ addr: string; peerId: string }>({ op: 'addr' })
      return { child, addr, peerId }
    })
  )
}

export function stopAgents(agents: Agent[]): void {
  for (const a of agents) a.child.close()
}
