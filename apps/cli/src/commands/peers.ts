// defs peers: who the node is connected to, and how it scores them (placement prefers the best):
// the score and the measured factors it is the weighted mean of, each in [0, 1], 0.5 where
// nothing was measured yet.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { table } from '../format.ts'
import { printJson, printLine } from '../output.ts'

/** The factors shown, in the columns' order (diversity depends on the others, so it is left out). */
const factorColumns = ['latency', 'bandwidth', 'capacity', 'stability', 'audit'] as const

export default defineCommand({
  meta: {
    name: 'peers',
    description:
      'List connected peers: standing (trusted, known, stranger), score and its factors (latency, bandwidth, capacity, stability, audits), RTT'
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
        ...factorColumns.map((f) => p.factors[f].toFixed(2)),
        p.rttMs === undefined ? '-' : `${Math.round(p.rttMs)} ms`,
        p.standing ?? '-',
        p.addresses[0] ?? ''
      ])
    printLine(
      table(['PEER', 'SCORE', 'LAT', 'BW', 'CAP', 'STAB', 'AUDIT', 'RTT', 'STANDING', 'ADDRESS'], rows)
    )
  }
})
