// defs cat REF: a file (or a range of it) to stdout, like cat(1): for pipes (`defs cat ID | tar x`).
// With a user session REF may be a name, as for defs get.
import { defineCommand } from 'citty'
import { connectionArgs, refArg, sessionArg, verboseArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { download, parseRangeFlag, rangeArg } from '../download.ts'
import { refForUser } from '../user-ref.ts'

export default defineCommand({
  meta: { name: 'cat', description: 'Write a file to stdout' },
  args: {
    ...refArg,
    ...rangeArg,
    ...sessionArg,
    ...connectionArgs,
    ...verboseArg
  },
  async run({ args }) {
    const range = args.range === undefined ? undefined : parseRangeFlag(args.range)
    const client = await connectAsUser(args)
    await download(client, await refForUser(client, args.ref), range)
  }
})
