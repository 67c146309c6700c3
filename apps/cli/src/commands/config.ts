// defs config show | get KEY | set KEY VALUE: the node's config (<dir>/config, its options) and
// daemon.json's API port, by the same names as the flags of `defs init` and `defs start` (port,
// bootstrap, mode, ...; api-port). A value is checked as a start would check it (the node's own
// option checks) before the file is written; a running daemon reads it at its next start.
import {
  checkNodeOptions,
  flagValueOf,
  integerFlag,
  nodeFlagHelp,
  nodeOptionsFromFlags,
  optionFlags,
  readDaemonConfig,
  type StoredNodeOptions,
  writeDaemonConfig
} from '@defs/daemon'
import { readNodeConfig, writeNodeConfig } from '@defs/node/config'
import { defineCommand } from 'citty'
import { dirArg, jsonArg, verboseArg } from '../cli-args.ts'
import { nodeDirectory } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

const keys = ['api-port', ...Object.keys(nodeFlagHelp)]

export default defineCommand({
  meta: { name: 'config', description: "Show, get or set the node's config (its options, and the API port)" },
  args: {
    action: { type: 'positional', required: true, description: 'show, get or set', valueHint: 'ACTION' },
    key: { type: 'positional', required: false, description: `one of ${keys.join(', ')}`, valueHint: 'KEY' },
    value: { type: 'positional', required: false, description: 'new value (set)', valueHint: 'VALUE' },
    ...dirArg,
    ...jsonArg,
    ...verboseArg
  },
  async run({ args }) {
    const dir = nodeDirectory(args.dir)
    const config = await readDaemonConfig(dir)
    if (config === undefined) throw new UserError(`no config in ${dir}: run defs init first`)
    const { dataDir: _, ...stored } = (await readNodeConfig(dir)) ?? {}
    // A daemon.json of before kept node options itself: they count until the node takes them.
    const node: StoredNodeOptions = { ...stored, ...config.node }
    const flat = flatten(config.api.port, node)
    if (args.action === 'show') {
      if (args.key !== undefined)
        throw new UserError('defs config show takes no KEY; use defs config get KEY')
      if (args.json) return printJson(flat)
      for (const [key, value] of Object.entries(flat)) printLine(`${key} = ${format(value)}`)
      return
    }
    if (args.action !== 'get' && args.action !== 'set')
      throw new UserError(`unknown config action ${JSON.stringify(args.action)}; use show, get or set`)
    if (args.key === undefined || !keys.includes(args.key))
      throw new UserError(`defs config ${args.action} needs a KEY, one of ${keys.join(', ')}`)
    if (args.action === 'get') {
      if (args.value !== undefined) throw new UserError('defs config get takes one KEY')
      const value = flat[args.key]
      if (args.json) return printJson({ [args.key]: value ?? null })
      return printLine(format(value))
    }
    if (args.value === undefined) throw new UserError(`defs config set ${args.key} needs a VALUE`)
    let next = node
    if (args.key === 'api-port') {
      await writeDaemonConfig(dir, {
        ...config,
        api: { ...config.api, port: integerFlag('api-port', args.value, 0, 65535) }
      })
    } else {
      const option = Object.entries(optionFlags).find(([, flag]) => flag === `--${args.key}`)?.[0]
      const parsed = nodeOptionsFromFlags({ [args.key]: args.value }) as Record<string, unknown>
      if (option === undefined) throw new UserError(`${args.key} cannot be set here`)
      const changed = { ...node } as Record<string, unknown>
      // An empty value unsets the option: the node's default applies again.
      if (parsed[option] === undefined) delete changed[option]
      else changed[option] = parsed[option]
      next = changed as StoredNodeOptions
      checkNodeOptions(next, dir)
      await writeNodeConfig({ ...next, dataDir: dir })
      if (config.node !== undefined) await writeDaemonConfig(dir, { version: 1, api: config.api })
    }
    const apiPort = args.key === 'api-port' ? integerFlag('api-port', args.value, 0, 65535) : config.api.port
    const value = flatten(apiPort, next)[args.key]
    if (args.json) return printJson({ [args.key]: value ?? null })
    printLine(`${args.key} = ${format(value)} (a running daemon takes it at its next start)`)
  }
})

/** The config by flag names: api-port, then each node option, under the flag that sets it, as it takes it. */
function flatten(apiPort: number, node: StoredNodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { 'api-port': apiPort }
  for (const [option, value] of Object.entries(node)) {
    const flag = optionFlags[option]
    out[flag === undefined ? option : flag.slice(2)] = flagValueOf(option, value)
  }
  return out
}

function format(value: unknown): string {
  if (value === undefined) return '(not set: the node default)'
  return Array.isArray(value) ? value.join(',') : String(value)
}
