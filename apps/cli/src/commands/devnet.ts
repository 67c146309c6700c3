// defs devnet: N daemons on 127.0.0.1 for trying DeFS out and for tests; runs until Ctrl-C,
// then stops them all cleanly. Without --dir it lives in a temporary directory, removed at the end.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { integerFlag, nodeOptionsFromFlags, waitForStopSignal } from '@defs/daemon'
import { defineCommand } from 'citty'
import { jsonArg, serviceArgs, verboseArg } from '../cli-args.ts'
import { startDevnet } from '../devnet/devnet.ts'
import { formatDuration, table } from '../format.ts'
import { note, printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'devnet', description: 'Run a local network of N daemons until Ctrl-C' },
  args: {
    nodes: { type: 'string', default: '6', description: 'how many daemons', valueHint: 'N' },
    dir: {
      type: 'string',
      description: 'directory for the nodes and devnet.json (default: a temporary one)',
      valueHint: 'D'
    },
    keep: { type: 'boolean', description: 'keep the temporary directory at the end' },
    mode: { type: 'string', description: 'default storage mode of every node' },
    'data-shards': { type: 'string', description: 'default k of every node' },
    'parity-shards': { type: 'string', description: 'default m of every node' },
    'max-storage': { type: 'string', description: 'quota of every node, e.g. 1GiB' },
    pairing: {
      type: 'boolean',
      description: 'every node pairs with another (see defs pair); the default, negated for lone nodes'
    },
    ...serviceArgs,
    ...jsonArg,
    ...verboseArg
  },
  async run({ args }) {
    const count = integerFlag('nodes', args.nodes, 1, 32)
    const temporary = args.dir === undefined
    const dir = args.dir ?? (await mkdtemp(join(tmpdir(), 'defs-devnet-')))
    const started = performance.now()
    if (!args.json) note(`starting ${count} nodes in ${dir} ...`)
    const devnet = await startDevnet({
      nodes: count,
      dir,
      node: nodeOptionsFromFlags(args),
      pairing: args.pairing !== false,
      onNodeExit: (name, code, signal) => note(`${name} exited (${signal ?? `code ${code}`})`)
    })
    // Handlers before the output a parent may react to with a signal.
    const stopped = waitForStopSignal()
    try {
      if (args.json) printJson({ dir: devnet.dir, file: devnet.file, nodes: devnet.nodes })
      else {
        printLine(
          `devnet of ${count} nodes up in ${formatDuration(performance.now() - started)}; ${devnet.file} has the same`
        )
        printLine(
          table(
            ['NODE', 'API', 'PEER ID', 'TOKEN'],
            devnet.nodes.map((n) => [n.name, n.api, n.peerId, n.token])
          )
        )
        const first = devnet.nodes[0]!
        printLine(`try:  DEFS_API=${first.api} DEFS_TOKEN=${first.token} defs status`)
        printLine(`      ${first.api}/ in a browser: ${first.name}'s dashboard (sign in with its token)`)
        note('Ctrl-C stops all nodes')
      }
      const why = await stopped
      note(`${why}: stopping ${count} nodes ...`)
    } finally {
      await devnet.stop()
      if (temporary && !args.keep) await rm(dir, { recursive: true, force: true })
    }
    note('devnet stopped')
  }
})
