// defs cat REF: a file (or a range of it) to stdout, like cat(1): for pipes (`defs cat ID | tar x`).
import { defineCommand } from 'citty'
import { connectionArgs, refArg, verboseArg } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { download, parseRangeFlag, rangeArg } from '../download.ts'

export default defineCommand({
  meta: { name: 'cat', description: 'Write a file to stdout' },
  args: {
    ...refArg,
    ...rangeArg,
    ...connectionArgs,
    ...verboseArg
  },
  async run({ args }) {
    const range = args.range === undefined ? undefined : parseRangeFlag(args.range)
    await download(await connect(args), args.ref, range)
  }
})
