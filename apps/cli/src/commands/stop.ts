// defs stop: ask the daemon for its pid, send it SIGTERM (the same graceful stop as Ctrl-C:
// shard in flight finished, tasks saved) and wait until it is gone.
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { daemonIsLocal } from '../put/store-file.ts'
import { UserError } from '../user-error.ts'

/** A daemon stops within 20 s or exits by itself with an error; a little more for the process. */
const stopWaitMs = 30_000

export default defineCommand({
  meta: { name: 'stop', description: 'Stop the daemon (gracefully, as Ctrl-C does)' },
  args: { ...clientArgs },
  async run({ args }) {
    const client = await connect(args)
    if (!daemonIsLocal(client)) throw new UserError(`the daemon at ${client.url} is not on this machine`)
    const version = await client.version()
    if (version === undefined)
      throw new UserError(
        `the daemon at ${client.url} does not say its pid (older than this defs); stop it with SIGTERM`
      )
    const started = Date.now()
    process.kill(version.pid, 'SIGTERM')
    while (running(version.pid)) {
      if (Date.now() - started > stopWaitMs)
        throw new UserError(`the daemon (pid ${version.pid}) still runs ${stopWaitMs / 1000} s after SIGTERM`)
      await new Promise((r) => setTimeout(r, 100))
    }
    if (args.json) return printJson({ stopped: true, api: client.url, pid: version.pid })
    printLine(`stopped the daemon at ${client.url} (pid ${version.pid})`)
  }
})

function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
