// defs share ID: the capability of a stored file again (defs:<id>:<key>), for whoever should read
// it on another node. Only the node that stored the file (or read it with its capability) has it.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'share', description: 'Print the capability of a stored file (reads it on any node)' },
  args: {
    ref: { type: 'positional', required: true, description: 'file id', valueHint: 'ID' },
    ...clientArgs
  },
  async run({ args }) {
    const shared = await (await connect(args)).capability(args.ref)
    if (args.json) return printJson(shared)
    printLine(shared.capability)
  }
})
