// defs login USER: a session token for one user, taken only where the user's home is (unless the
// daemon runs with --allow-external-login). Requests that act for the user carry it as
// x-defs-session (the CLI's --session or DEFS_SESSION); the operator's API token alone never acts
// for a user.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { readPassphrase } from '../passphrase.ts'

export default defineCommand({
  meta: {
    name: 'login',
    description:
      'Log a user in at this node (their home) and print a session token, which put, ls, get, cat and share take (DEFS_SESSION)'
  },
  args: {
    user: { type: 'positional', required: true, description: 'user name or id', valueHint: 'USER' },
    ...clientArgs
  },
  async run({ args }) {
    const passphrase = await readPassphrase(`passphrase of ${args.user}`)
    const client = await connect(args)
    const session = await client.json<{ name: string; user: string; session: string; expires: number }>(
      'POST',
      '/v1/login',
      {
        user: args.user,
        passphrase
      }
    )
    if (args.json) return printJson(session)
    printLine(session.session)
  }
})
