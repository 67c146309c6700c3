// defs pair [status] [--json] | defs pair --with PEER: the node's pair (partner, epoch, how the
// partner's heartbeats look, migrations under way), or an operator's choice of partner.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatDuration } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

interface PairReport {
  enabled: boolean
  partner?: string
  epoch?: number
  health?: string
  rttMs?: number
  phi?: number
  silenceMs?: number
  inSync?: boolean
  backlog?: { shards: number; bytes: number }
  migrations?: { id: string; state: string; partner: string; shardsDone: number }[]
}

export default defineCommand({
  meta: {
    name: 'pair',
    description: "Show the node's pair partner and its health, or pair with a peer (--with)"
  },
  args: {
    action: { type: 'positional', required: false, description: 'status (the default)', valueHint: 'status' },
    with: {
      type: 'string',
      description: 'pair with this peer (a peer id the node is connected to)',
      valueHint: 'PEER'
    },
    ...clientArgs
  },
  async run({ args }) {
    const action = args.action === undefined ? 'status' : String(args.action)
    if (action !== 'status')
      throw new UserError(`pair takes status or --with PEER, got ${JSON.stringify(action)}`)
    const client = await connect(args)
    if (args.with !== undefined) {
      const formed = await client.json<{ partner: string; epoch: number }>('POST', '/v1/pair', {
        with: args.with
      })
      if (args.json) return printJson(formed)
      return printLine(`paired with ${formed.partner} at epoch ${formed.epoch}`)
    }
    const r = await client.json<PairReport>('GET', '/v1/pair')
    if (args.json) return printJson(r)
    if (!r.enabled) return printLine('pairing     off (this node runs without a partner)')
    printLine(`partner     ${r.partner ?? 'none'}`)
    printLine(`epoch       ${r.epoch}`)
    printLine(`health      ${r.health}`)
    if (r.rttMs !== undefined) printLine(`heartbeat   ${r.rttMs} ms rtt, phi ${(r.phi ?? 0).toFixed(2)}`)
    if (r.silenceMs !== undefined && r.health !== 'alive')
      printLine(`silent for  ${formatDuration(r.silenceMs)}`)
    const migrations = r.migrations ?? []
    printLine(`sync        ${syncLine(r)}`)
    printLine(`migrations  ${migrations.length === 0 ? 'none' : ''}`)
    for (const m of migrations) printLine(`  ${m.state} to ${m.partner}: ${m.shardsDone} shards`)
  }
})

/** Whether the partners' inventories agree, and what the partner lacks until they sync. */
function syncLine(r: PairReport): string {
  const lacking =
    r.backlog === undefined || r.backlog.shards === 0
      ? 'nothing known to copy'
      : `${r.backlog.shards} shard(s), ${formatBytes(r.backlog.bytes)} to copy (acknowledged with 1 copy)`
  const digests = r.inSync === undefined ? 'not compared yet' : r.inSync ? 'in sync' : 'inventories differ'
  return `${digests}; ${lacking}`
}
