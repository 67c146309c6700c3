// defs ls: the files this node knows (uploaded here, opened with a capability, or kept as a
// user's mirror, marked so). With a user
// session (--session or DEFS_SESSION, from defs login): that user's tree instead, and with
// --shared the files other users shared with them.
import type { SharedListing, TreeListing } from '@defs/node'
import { defineCommand } from 'citty'
import { clientArgs, sessionArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { formatBytes, table } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: {
    name: 'ls',
    description: "List stored files (with a user session: the user's tree, or --shared what others shared)"
  },
  args: {
    shared: { type: 'boolean', description: 'with a session: the files other users shared with this one' },
    ...sessionArg,
    ...clientArgs
  },
  async run({ args }) {
    const client = await connectAsUser(args)
    if (client.session !== undefined) return listForUser(client, args.shared === true, args.json === true)
    if (args.shared)
      throw new UserError(
        'ls --shared lists what was shared with a user: log in (defs login) and pass --session'
      )
    const files = await client.files()
    if (args.json) return printJson(files)
    if (files.length === 0) return printLine('no files')
    const rows = files.map((f) => [
      f.fileId,
      // A mirrored file's name is sealed under its owner's key: say whose copy it is instead.
      f.name || (f.mirrored !== undefined ? `(mirror of ${f.mirrored.slice(0, 16)}…)` : ''),
      formatBytes(f.size),
      `${f.mode} ${f.dataShards}+${f.parityShards}`,
      String(f.slices),
      new Date(f.created).toISOString().slice(0, 19).replace('T', ' ')
    ])
    printLine(table(['ID', 'NAME', 'SIZE', 'CODE', 'SLICES', 'CREATED'], rows))
  }
})

async function listForUser(
  client: Awaited<ReturnType<typeof connectAsUser>>,
  shared: boolean,
  json: boolean
) {
  const size = (n: number | undefined) => (n === undefined ? '?' : formatBytes(n))
  if (shared) {
    const { files } = await client.json<{ files: SharedListing[] }>('GET', '/v1/users/me/shared')
    if (json) return printJson(files)
    if (files.length === 0) return printLine('nothing shared with this user')
    return printLine(
      table(
        ['NAME', 'SIZE', 'ID', 'FROM'],
        files.map((f) => [f.name, size(f.size), f.fileId, f.fromName ?? f.from])
      )
    )
  }
  const tree = await client.json<TreeListing & { name: string }>('GET', '/v1/users/me/tree')
  if (json) return printJson(tree.entries)
  if (tree.entries.length === 0) return printLine(`no files in the tree of ${tree.name}`)
  printLine(
    table(
      ['NAME', 'SIZE', 'ID'],
      tree.entries.map((e) => [e.name, size(e.size), e.fileId])
    )
  )
}
