// defs check ID: how many shards of each slice are live, against the k a slice needs, and how
// they spread over pairs (a pair mirrors its shards: one failure domain, which placement gives at
// most m of a slice). Exits 1 when some slice has fewer than k, so scripts can alert on it; a pair
// holding more than m is a warning on stderr.
import type { FileHealth } from '@defs/client'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { shortId, table } from '../format.ts'
import { note, printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: {
    name: 'check',
    description: 'Check a file: live shards per slice against k, and per pair against m'
  },
  args: {
    ref: { type: 'positional', required: true, description: 'file id or capability', valueHint: 'ID' },
    ...clientArgs
  },
  async run({ args }) {
    const health = await (await connect(args)).health(args.ref)
    if (args.json) printJson(health)
    else printHealth(health)
    for (const w of overBound(health)) note(`warning: ${w}`)
    if (!health.readable) {
      const worst = health.slices.find((s) => s.live < s.dataShards)
      throw new UserError(
        `file ${health.fileId} cannot be read: ${worst ? `slice ${worst.slice} has ${worst.live} live shards, needs ${worst.dataShards}` : 'too few live shards'}`
      )
    }
  }
})

const pairKey = (peers: string[]) => peers.join('+')

function printHealth(health: FileHealth): void {
  const names = pairNames(health)
  const rows = health.slices.map((s) => [
    String(s.slice),
    `${s.live}/${s.totalShards}`,
    String(s.dataShards),
    s.live >= s.totalShards
      ? 'ok'
      : s.live >= s.dataShards
        ? `degraded (${s.live - s.dataShards} to spare)`
        : 'LOST',
    s.pairs.map((p) => `${names.get(pairKey(p.peers))} ${p.count}${p.overBound ? '!' : ''}`).join('  ')
  ])
  printLine(table(['SLICE', 'LIVE', 'NEED', 'STATE', 'PER PAIR'], rows))
  printLine()
  const held = new Map<string, number>()
  for (const s of health.slices)
    for (const p of s.pairs) held.set(pairKey(p.peers), (held.get(pairKey(p.peers)) ?? 0) + p.count)
  printLine(
    table(
      ['PAIR', 'SHARDS', 'PEERS'],
      [...names].map(([key, name]) => {
        const peers = key.split('+')
        return [
          name,
          String(held.get(key) ?? 0),
          peers.length === 1 ? `${peers[0]} (no partner known)` : peers.join(' + ')
        ]
      })
    )
  )
  const m = Math.min(...health.slices.map((s) => s.totalShards - s.dataShards))
  const most = Math.max(0, ...health.slices.flatMap((s) => s.pairs.map((p) => p.count)))
  printLine(
    `${health.fileId}: ${health.readable ? 'readable' : 'NOT readable'}, fewest live shards ${health.minLive}, most on one pair ${most} (m = ${Number.isFinite(m) ? m : 0})`
  )
}

/** P1, P2, ... for each pair (or unpaired holder) that holds a shard, in order of their peers. */
function pairNames(health: FileHealth): Map<string, string> {
  const keys = [...new Set(health.slices.flatMap((s) => s.pairs.map((p) => pairKey(p.peers))))].sort()
  return new Map(keys.map((k, i) => [k, `P${i + 1}`]))
}

/** One line per slice a single pair could lose. */
function overBound(health: FileHealth): string[] {
  return health.slices.flatMap((s) =>
    s.pairs
      .filter((p) => p.overBound)
      .map((p) => {
        const m = s.totalShards - s.dataShards
        const why = p.count > m ? `more than m = ${m}` : 'every live copy'
        return `slice ${s.slice}: the pair ${p.peers.map((id) => shortId(id)).join(' + ')} holds shard(s) ${p.shards.join(',')} (${why}): losing that pair loses the slice`
      })
  )
}
