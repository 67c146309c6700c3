// The `defs` process: the only place that exits. citty's runMain shows usage (--help, --version,
// no command); commands run through runCommand so that an error becomes one line
// `defs: <message>` on stderr and exit code 1, with the stack only under --verbose.
import { runCommand, runMain } from 'citty'
import { root } from './root.ts'
import { describeError, isUserError } from './user-error.ts'

// Started by bin/defs.js with an IPC channel: if that parent dies, stop as if sent SIGTERM, so
// a devnet's daemons never outlive the command that started them.
if (process.channel) {
  process.channel.unref()
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}

const rawArgs = process.argv.slice(2)
const wantsUsage =
  rawArgs.length === 0 ||
  rawArgs.some((a) => a === '--help' || a === '-h') ||
  (rawArgs.length === 1 && rawArgs[0] === '--version')

if (wantsUsage) {
  await runMain(root, { rawArgs })
} else {
  let code = 0
  try {
    await runCommand(root, { rawArgs })
  } catch (err) {
    code = 1
    process.stderr.write(`defs: ${describeError(err)}\n`)
    if (rawArgs.includes('--verbose') || process.env.DEFS_VERBOSE)
      process.stderr.write(`${(err as Error)?.stack ?? err}\n`)
    else if (!isUserError(err)) process.stderr.write('defs: (--verbose shows where it happened)\n')
  }
  // process.exit drops what stdout still holds: when stdout is a pipe or socket its writes are
  // asynchronous, and the tail of a `defs get` to a pipe was lost (exit 0, bytes missing).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
  process.exit(code)
}
