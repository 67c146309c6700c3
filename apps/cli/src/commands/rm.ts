// defs rm ID: owner-signed deletes of every shard, and the manifest tombstoned. With a user
// session (--session or DEFS_SESSION): a name or id of the user's tree, taken out of it first and
// its shards deleted with the user's key.
import { defineCommand } from 'citty'
import { clientArgs, sessionArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'rm', description: 'Delete a file from the network (with a session: from your tree)' },
  args: {
    ref: {
      type: 'positional',
      required: true,
      description: 'file id; with a session: a name or id in your tree',
      valueHint: 'ID|FILE'
    },
    ...sessionArg,
    ...clientArgs
  },
  async run({ args }) {
    const result = await (await connectAsUser(args)).remove(args.ref)
    if (args.json) return printJson(result)
    printLine(`removed ${result.fileId} (${result.shardsDeleted} shards deleted)`)
  }
})
