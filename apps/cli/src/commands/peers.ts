// defs peers: who the node is connected to, and how it scores them (placement prefers the best).
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { table } from '../format.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: {
    name: 'peers',
    description: 'List connected peers with their scores and standing (trusted, known, stranger)'
  },
  args: { ...clientArgs },
  async run({ args }) {
    const peers = await (await connect(args)).peers()
    if (args.json) return printJson(peers)
    if (peers.length === 0) return printLine('no peers')
    const rows = [...peers]
      .sort((a, b) => b.score - a.score)
      .map((p) => [
        p.peerId,
        p.score.toFixed(3),
        p.rttMs === undefined ? '-' : `${Math.round(p.rttMs)} ms`,
        p.standing ?? '-',
        p.addresses[0] ?? ''
      ])
    printLine(table(['PEER', 'SCORE', 'RTT', 'STANDING', 'ADDRESS'], rows))
  }
})
