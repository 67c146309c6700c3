// defs init: make a node directory ready to start: daemon.json (API port, node options) and
// the API token (mode 0600). The node's identity is created by its first start.
import { mkdir } from 'node:fs/promises'
import {
  apiTokenPath,
  checkNodeOptions,
  defaultApiHost,
  defaultApiPort,
  ensureApiToken,
  integerFlag,
  nodeOptionsFromFlags,
  readDaemonConfig,
  writeDaemonConfig
} from '@defs/daemon'
import { defineCommand } from 'citty'
import { daemonArgs } from '../cli-args.ts'
import { nodeDirectory } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

/** A fixed p2p port by default, so the node's address (what others bootstrap to) survives restarts. */
const defaultP2pPort = '7421'

export default defineCommand({
  meta: { name: 'init', description: 'Create a node directory: config and API token' },
  args: daemonArgs,
  async run({ args }) {
    const dir = nodeDirectory(args.dir)
    if ((await readDaemonConfig(dir)) !== undefined) {
      throw new UserError(`${dir} is already initialized (daemon.json exists); edit it, or use another --dir`)
    }
    const apiPort =
      args['api-port'] === undefined ? defaultApiPort : integerFlag('api-port', args['api-port'], 0, 65535)
    const node = nodeOptionsFromFlags({ ...args, port: args.port ?? defaultP2pPort })
    checkNodeOptions(node, dir)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const config = { version: 1 as const, api: { host: defaultApiHost, port: apiPort }, node }
    await writeDaemonConfig(dir, config)
    await ensureApiToken(dir)
    if (args.json) return printJson({ dir, tokenFile: apiTokenPath(dir), ...config })
    printLine(`initialized ${dir}`)
    printLine(`  api    http://${defaultApiHost}:${apiPort} (token in ${apiTokenPath(dir)}, owner-only)`)
    printLine(
      `  p2p    port ${node.port}${node.bootstrap ? `, joining through ${node.bootstrap.join(', ')}` : ''}`
    )
    printLine(`next: defs start${args.dir ? ` --dir ${args.dir}` : ''}`)
  }
})
