// defs dashboard: where the node's dashboard is, and the token its sign-in page asks for once (the
// page keeps a session cookie, never the token). Checks that the daemon answers first.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: {
    name: 'dashboard',
    description: "Print the URL of the node's web dashboard and the token to sign in with"
  },
  args: { ...clientArgs },
  async run({ args }) {
    const client = await connect(args)
    await client.status()
    const url = `${client.url}/`
    if (args.json) return printJson({ url, token: client.token })
    printLine(`dashboard  ${url}`)
    printLine(`token      ${client.token}`)
    printLine(
      'open the URL in a browser on this machine and paste the token once; it keeps a session for 12 h'
    )
  }
})
