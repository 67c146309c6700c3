// defs start: run the daemon in the foreground until Ctrl-C or SIGTERM, then stop at a
// consistent point (shard in flight finished, tasks persisted); or, with --background, as a
// process of its own that `defs stop` ends.
import { join } from 'node:path'
import {
  allowExternalLoginHelp,
  checkNodeOptions,
  daemonLogPath,
  integerFlag,
  nodeOptionsFromFlags,
  readDaemonConfig,
  startDaemon,
  stopWithin,
  waitForStopSignal,
  writeDaemonConfig
} from '@defs/daemon'
import { readNodeConfig } from '@defs/node/config'
import { defineCommand } from 'citty'
import { daemonArgs } from '../cli-args.ts'
import { nodeDirectory } from '../connect.ts'
import { nodeFlags } from '../devnet/node-flags-args.ts'
import { note, printJson, printLine } from '../output.ts'
import { startInBackground } from '../start/background.ts'
import { explainStartError } from '../start/start-error.ts'

const stopTimeoutMs = 20_000

export default defineCommand({
  meta: { name: 'start', description: 'Run the daemon (in the foreground; Ctrl-C stops it)' },
  args: {
    ...daemonArgs,
    background: { type: 'boolean', description: 'run it as a process of its own; defs stop ends it' },
    'allow-external-login': {
      type: 'boolean',
      description: allowExternalLoginHelp
    },
    // no citty default, and no flag spelled in the description: the help lists true flags only
    pairing: {
      type: 'boolean',
      description:
        'pair with another storage node: shards mirrored to it, failover (see defs pair); the default, negated for a node that only reads'
    }
  },
  async run({ args }) {
    const dir = nodeDirectory(args.dir)
    const port =
      args['api-port'] === undefined ? undefined : integerFlag('api-port', args['api-port'], 0, 65535)
    const node = nodeOptionsFromFlags(args)
    const config = await readDaemonConfig(dir)
    // A storage node pairs unless told not to (--no-pairing), now or at an earlier start.
    const pairs = args.pairing ?? config?.pairing ?? true
    // The node's config, under what daemon.json kept before it (read once), under the flags.
    const { dataDir: _, ...stored } = (await readNodeConfig(dir)) ?? {}
    const merged = { ...stored, ...config?.node, ...node }
    checkNodeOptions(merged, dir)
    const logPath = daemonLogPath(merged.logDir ?? join(dir, 'logs'))
    if (args.background) {
      const flags = [
        ...(port === undefined ? [] : ['--api-port', String(port)]),
        ...(args['allow-external-login'] ? ['--allow-external-login'] : []),
        ...(pairs ? ['--pairing'] : []),
        ...nodeFlags(node)
      ]
      const ready = await startInBackground(dir, merged.logDir ?? join(dir, 'logs'), flags)
      await keepPairingChoice(dir, args.pairing)
      if (args.json) return printJson({ ...ready, dir, log: logPath })
      printLine(`node ${ready.peerId} running in the background (pid ${ready.pid}) from ${dir}`)
      printLine(`  api        ${ready.api} (token in ${dir}/api-token)`)
      printLine(`  log        ${logPath}`)
      printLine(`stop it with: defs stop${args.dir ? ` --dir ${args.dir}` : ''}`)
      return
    }
    const allowExternalLogin = args['allow-external-login'] === true
    const pairing = pairs ? { pairing: {} } : {}
    const daemon = await startDaemon({
      dir,
      ...(port === undefined ? {} : { port }),
      node,
      allowExternalLogin,
      ...pairing
    }).catch((err) => {
      throw explainStartError(err)
    })
    // Handlers first: a signal that arrives before them would kill the process without a stop.
    const stopped = waitForStopSignal()
    await keepPairingChoice(dir, args.pairing)
    // One line, like the daemon process's ready line, so a parent can read it with readline.
    const ready = {
      ready: true,
      api: daemon.url,
      peerId: daemon.peerId,
      addresses: daemon.addresses(),
      dir,
      log: logPath,
      pid: process.pid
    }
    if (args.json) printLine(JSON.stringify(ready))
    else {
      printLine(`node ${daemon.peerId} running from ${dir}`)
      printLine(`  api        ${daemon.url} (token in ${dir}/api-token)`)
      for (const a of daemon.addresses()) printLine(`  listening  ${a}`)
      printLine(`  log        ${logPath}`)
      note('Ctrl-C stops it')
    }
    const why = await stopped
    note(`${why}: stopping (finishing the shard in flight, saving tasks)`)
    await stopWithin(daemon, stopTimeoutMs)
    note('stopped')
  }
})

/** --pairing or --no-pairing, kept in daemon.json (which the start has written by now). */
async function keepPairingChoice(dir: string, pairing: boolean | undefined): Promise<void> {
  if (pairing === undefined) return
  const config = await readDaemonConfig(dir)
  if (config !== undefined && config.pairing !== pairing) await writeDaemonConfig(dir, { ...config, pairing })
}
