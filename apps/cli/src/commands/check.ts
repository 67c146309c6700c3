// defs check ID: how many shards of each slice are live, against the k a slice needs. Exits 1
// when some slice has fewer than k, so scripts can alert on it.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'check', description: 'Check a file: live shards per slice against k' },
  args: {
    ref: { type: 'positional', required: true, description: 'file id or capability', valueHint: 'ID' },
    ...clientArgs
  },
  async run({ args }) {
    const health = await (await connect(args)).health(args.ref)
    if (args.json) printJson(health)
    else {
      const rows = health.slices.map((s) => [
        String(s.slice),
        `${s.live}/${s.totalShards}`,
        String(s.dataShards),
        s.live >= s.totalShards
          ? 'ok'
          : s.live >= s.dataShards
            ? `degraded (${s.live - s.dataShards} to spare)`
            : 'LOST'
      ])
      printLine(table(['SLICE', 'LIVE', 'NEED', 'STATE'], rows))
      printLine(
        `${health.fileId}: ${health.readable ? 'readable' : 'NOT readable'}, fewest live shards ${health.minLive}`
      )
    }
    if (!health.readable) {
      const worst = health.slices.find((s) => s.live < s.dataShards)
      throw new UserError(
        `file ${health.fileId} cannot be read: ${worst ? `slice ${worst.slice} has ${worst.live} live shards, needs ${worst.dataShards}` : 'too few live shards'}`
      )
    }
  }
})
