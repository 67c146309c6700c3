// defs status: the daemon's node at a glance.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatDuration } from '../format.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'status', description: 'Show the node: peer id, addresses, peers, storage, leases, tasks' },
  args: { ...clientArgs },
  async run({ args }) {
    const client = await connect(args)
    const [s, daemon] = await Promise.all([client.status(), client.version()])
    if (args.json) return printJson({ api: client.url, daemon: daemon ?? null, ...s })
    const tasks = Object.entries(s.tasks)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state}`)
    printLine(`peer id    ${s.peerId}`)
    const since = s.stateSince > 0 ? ` for ${formatDuration(Date.now() - s.stateSince)}` : ''
    printLine(`state      ${s.state}${s.state === 'running' ? '' : since}`)
    printLine(`api        ${client.url}`)
    printLine(
      `daemon     ${daemon ? `${daemon.version} (pid ${daemon.pid}, Node ${daemon.node})` : 'older than 0.1.0'}`
    )
    for (const [i, a] of s.addresses.entries()) printLine(`${i === 0 ? 'addresses ' : '          '} ${a}`)
    printLine(`peers      ${s.peers}`)
    printLine(
      `stored     ${formatBytes(s.storedBytes)} in ${s.storedShards} shards, quota ${formatBytes(s.maxStorage)}`
    )
    const count = (c: { shards: number; bytes: number }): string => `${c.shards} (${formatBytes(c.bytes)})`
    const l = s.leases
    printLine(
      `leases     ${count(l.leased)} leased, ${count(l.expired)} expired, ${count(l.collected)} collected since start`
    )
    printLine(`tasks      ${tasks.length > 0 ? tasks.join(', ') : 'none'}`)
  }
})
