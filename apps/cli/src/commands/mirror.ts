// defs mirror add USER --from HOME | status: keep a full copy of a user (root, manifests, k shards
// of every slice, friends list, account) on this node, synced from their home every minute, so
// reads go on when the home dies and the user can move home here. status shows the lag in roots
// and in shard bytes still to copy, and a running sync's files done.
import type { MirrorStatus, SyncReport } from '@defs/mirror'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatDuration, table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'mirror', description: "Mirror a user from their home node, or show the mirrors' lag" },
  args: {
    action: { type: 'positional', required: true, description: 'add or status', valueHint: 'add|status' },
    user: {
      type: 'positional',
      required: false,
      description: 'add: the user id (defs user list on the home)',
      valueHint: 'USER'
    },
    from: {
      type: 'string',
      description: 'add: the home, a multiaddr (/ip4/.../p2p/<id>) or a peer id',
      valueHint: 'HOME'
    },
    ...clientArgs
  },
  async run({ args }) {
    const action = String(args.action)
    const client = await connect(args)
    if (action === 'status') {
      const { mirrors } = await client.json<{ mirrors: MirrorStatus[] }>('GET', '/v1/mirrors')
      if (args.json) return printJson(mirrors)
      if (mirrors.length === 0) return printLine('no mirrors')
      const rows = mirrors.map((m) => [
        m.user.slice(0, 16),
        String(m.seq),
        String(m.lag),
        m.bytesToCopy === undefined ? '-' : formatBytes(m.bytesToCopy),
        m.lastSync === undefined ? 'never' : `${formatDuration(Date.now() - m.lastSync)} ago`,
        m.progress !== undefined
          ? `syncing ${m.progress.filesDone}/${m.progress.filesTotal} files`
          : m.syncing
            ? 'syncing'
            : (m.lastError ?? 'ok'),
        m.from
      ])
      return printLine(table(['USER', 'SEQ', 'LAG', 'TO COPY', 'SYNCED', 'STATE', 'FROM'], rows))
    }
    if (action !== 'add') throw new UserError(`mirror takes add or status, got ${JSON.stringify(action)}`)
    if (args.user === undefined || args.from === undefined)
      throw new UserError('mirror add needs USER and --from HOME')
    const report = await client.json<SyncReport>('POST', '/v1/mirrors', { user: args.user, from: args.from })
    if (args.json) return printJson(report)
    const c = report.copied
    printLine(
      `mirroring ${report.user.slice(0, 16)}… from ${report.from}: root ${report.seq}, copied ${c.manifests} manifest(s), ${c.shards} shard(s), ${c.blobs} blob(s), ${c.bytes} bytes`
    )
  }
})
