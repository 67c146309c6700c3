// The daemon as a process: `node --conditions=@defs/source apps/daemon/src/main.ts --dir D`.
// When ready it prints one JSON line on stdout, {"ready":true,"api":...,"peerId":...,"addresses":[...]},
// for a parent (devnet, a service manager) to read; on failure {"ready":false,"error":{...}} and
// exit 1. SIGTERM/SIGINT stop it at a consistent point. With --exit-with-stdin it also stops
// when its stdin closes, so it never outlives a parent that was killed.
import { parseArgs } from 'node:util'
import { startDaemon } from './daemon.ts'
import { integerFlag, nodeFlagHelp, nodeOptionsFromFlags } from './node-flags.ts'
import { stopWithin, waitForStopSignal } from './stop-signal.ts'
import { allowExternalLoginHelp } from './user-sessions.ts'

/** Beyond this a stop is taken to hang and the process exits with 1. */
const stopTimeoutMs = 20_000

const usage = `usage: defs-daemon --dir DIR [--api-port N] [--exit-with-stdin] [--allow-external-login] [--pairing] [node flags]
  --allow-external-login   ${allowExternalLoginHelp}
${Object.entries(nodeFlagHelp)
  .map(([flag, help]) => `  --${flag.padEnd(22)} ${help}`)
  .join('\n')}`

let readyPrinted = false

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'api-port': { type: 'string' },
      'exit-with-stdin': { type: 'boolean' },
      'allow-external-login': { type: 'boolean' },
      pairing: { type: 'boolean' },
      help: { type: 'boolean' },
      ...Object.fromEntries(
        Object.keys(nodeFlagHelp).map((flag) => [
          flag,
          { type: 'string' as const, multiple: flag === 'bootstrap' }
        ])
      )
    },
    strict: true
  })
  if (values.help) {
    process.stdout.write(`${usage}\n`)
    return
  }
  const dir = (values.dir as string | undefined) ?? process.env.DEFS_DIR
  if (dir === undefined) throw new Error('--dir (or DEFS_DIR) is required')
  const apiPort = values['api-port'] as string | undefined
  const daemon = await startDaemon({
    dir,
    ...(apiPort !== undefined ? { port: integerFlag('api-port', apiPort, 0, 65535) } : {}),
    node: nodeOptionsFromFlags(values as Record<string, string | undefined>),
    allowExternalLogin: values['allow-external-login'] === true,
    ...(values.pairing === true ? { pairing: {} } : {})
  })
  // Listen for the stop signals before announcing readiness: a parent may signal the moment it
  // reads the ready line, and a signal that arrives before its handler kills the process outright.
  const stopped = waitForStopSignal({ stdin: values['exit-with-stdin'] === true })
  readyPrinted = true
  const ready = {
    ready: true,
    api: daemon.url,
    peerId: daemon.peerId,
    addresses: daemon.addresses(),
    pid: process.pid
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`)
  const why = await stopped
  process.stderr.write(`defs-daemon: ${why}, stopping\n`)
  await stopWithin(daemon, stopTimeoutMs)
  process.exit(0)
}

main().catch((err: unknown) => {
  const e = err as Error
  if (!readyPrinted)
    process.stdout.write(
      `${JSON.stringify({ ready: false, error: { name: e?.name, message: e?.message } })}\n`
    )
  process.stderr.write(`defs-daemon: ${e?.message ?? String(err)}\n`)
  if (process.env.DEFS_VERBOSE) process.stderr.write(`${e?.stack}\n`)
  process.exit(1)
})
