// defs rm ID: owner-signed deletes of every shard, and the manifest tombstoned.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'rm', description: 'Delete a file from the network' },
  args: {
    ref: { type: 'positional', required: true, description: 'file id', valueHint: 'ID' },
    ...clientArgs
  },
  async run({ args }) {
    const result = await (await connect(args)).remove(args.ref)
    if (args.json) return printJson(result)
    printLine(`removed ${result.fileId} (${result.shardsDeleted} shards deleted)`)
  }
})
