// The `defs` process: the only place that exits. It finds the command, parses its flags strictly
// (parse-flags.ts), runs it, and turns any error into one line `defs: <message>` on stderr and exit
// code 1, with the stack only under --verbose. It exits only once stdout and stderr are flushed,
// so a pipe or a slow reader gets every byte; a reader that goes away (`| head`) ends it quietly.
import { renderUsage } from 'citty'
import { type FlagDefs, parseFlags } from './parse-flags.ts'
import { root, version } from './root.ts'
import { usageText } from './usage.ts'
import { describeError, isUserError, UserError } from './user-error.ts'

// Started by bin/defs.js with an IPC channel: if that parent dies, stop as if sent SIGTERM, so
// a devnet's daemons never outlive the command that started them.
if (process.channel) {
  process.channel.unref()
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}

/** What a shell reports for a process whose reader closed the pipe (128 + SIGPIPE). */
const brokenPipeCode = 141

// The reader of stdout went away (`defs cat ID | head`): stop writing, say nothing.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(brokenPipeCode)
  throw err
})
process.stderr.on('error', () => {})

const rawArgs = process.argv.slice(2)
const verbose = rawArgs.includes('--verbose') || rawArgs.includes('-v') || Boolean(process.env.DEFS_VERBOSE)
let settled = false

// The event loop emptied while the command had not finished: a promise nobody resolves. Without
// this Node exits 13 and says nothing.
process.on('beforeExit', () => {
  if (settled) return
  settled = true
  process.stderr.write('defs: the command stopped without finishing (a bug; --verbose may tell more)\n')
  process.exit(1)
})

run().then(
  (code) => finish(code),
  (err: unknown) => {
    process.stderr.write(
      `defs: ${describeError(err)}${isUserError(err) ? '' : ' (a bug? --verbose shows where)'}\n`
    )
    if (verbose) process.stderr.write(`${(err as Error)?.stack ?? err}\n`)
    return finish(1)
  }
)

async function run(): Promise<number> {
  const [name, ...rest] = rawArgs
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined
    if (topic === undefined) process.stdout.write(`${usageText(await renderUsage(root))}\n`)
    else process.stdout.write(`${usageText(await renderUsage(await command(topic), root))}\n`)
    return 0
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version}\n`)
    return 0
  }
  const cmd = await command(name)
  const flags = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : rest.length)
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(`${usageText(await renderUsage(cmd, root))}\n`)
    return 0
  }
  const args = parseFlags(rest, (cmd.args ?? {}) as FlagDefs, name)
  const code = await cmd.run?.({ rawArgs: rest, args: args as never, cmd, data: undefined })
  return typeof code === 'number' ? code : 0
}

async function command(name: string) {
  const commands = root.subCommands as Record<string, () => Promise<Parameters<typeof renderUsage>[0]>>
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (load === undefined) {
    const near = Object.keys(commands).find((c) => c.startsWith(name.slice(0, 2)))
    throw new UserError(
      `unknown command ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ''}; defs --help lists them`
    )
  }
  return load()
}

/** Exits once everything written to stdout and stderr has left the process. */
async function finish(code: number): Promise<void> {
  settled = true
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  process.exit(code)
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve()
    stream.write('', (err?: NodeJS.ErrnoException | null) => {
      if (err?.code === 'EPIPE' && stream === process.stdout) process.exit(brokenPipeCode)
      resolve()
    })
  })
}
