// defs start: run the daemon in the foreground until Ctrl-C or SIGTERM, then stop at a
// consistent point (shard in flight finished, tasks persisted).
import { integerFlag, nodeOptionsFromFlags, startDaemon, stopWithin, waitForStopSignal } from '@defs/daemon'
import { defineCommand } from 'citty'
import { daemonArgs } from '../cli-args.ts'
import { nodeDirectory } from '../connect.ts'
import { note, printLine } from '../output.ts'

const stopTimeoutMs = 20_000

export default defineCommand({
  meta: { name: 'start', description: 'Run the daemon in the foreground (Ctrl-C stops it)' },
  args: daemonArgs,
  async run({ args }) {
    const dir = nodeDirectory(args.dir)
    const daemon = await startDaemon({
      dir,
      ...(args['api-port'] === undefined
        ? {}
        : { port: integerFlag('api-port', args['api-port'], 0, 65535) }),
      node: nodeOptionsFromFlags(args)
    })
    // Handlers first: a signal that arrives before them would kill the process without a stop.
    const stopped = waitForStopSignal()
    // One line, like the daemon process's ready line, so a parent can read it with readline.
    // pid: from a source checkout bin/defs.js runs this in a child process, so a supervisor that
    // must signal the daemon itself (SIGKILL, SIGSTOP) learns its pid here.
    const ready = {
      ready: true,
      api: daemon.url,
      peerId: daemon.peerId,
      addresses: daemon.addresses(),
      dir,
      pid: process.pid
    }
    if (args.json) printLine(JSON.stringify(ready))
    else {
      printLine(`node ${daemon.peerId} running from ${dir}`)
      printLine(`  api        ${daemon.url} (token in ${dir}/api-token)`)
      for (const a of daemon.addresses()) printLine(`  listening  ${a}`)
      note('Ctrl-C stops it')
    }
    const why = await stopped
    note(`${why}: stopping (finishing the shard in flight, saving tasks)`)
    await stopWithin(daemon, stopTimeoutMs)
    note('stopped')
  }
})
