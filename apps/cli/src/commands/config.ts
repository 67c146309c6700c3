// defs config show | get KEY | set KEY VALUE: the node's daemon.json, by the same names as the
// flags of `defs init` and `defs start` (port, bootstrap, mode, ...; api-port). A value is
// checked as a start would check it (the node's own option checks) before the file is written;
// a running daemon reads it at its next start.
import {
  checkNodeOptions,
  type DaemonConfig,
  integerFlag,
  nodeFlagHelp,
  nodeOptionsFromFlags,
  optionFlags,
  readDaemonConfig,
  writeDaemonConfig
} from '@defs/daemon'
import { defineCommand } from 'citty'
import { dirArg, jsonArg, verboseArg } from '../cli-args.ts'
import { nodeDirectory } from '../connect.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

const keys = ['api-port', ...Object.keys(nodeFlagHelp)]

export default defineCommand({
  meta: { name: 'config', description: "Show, get or set the node's config (daemon.json)" },
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
    const flat = flatten(config)
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
    const next: DaemonConfig = { ...config, api: { ...config.api }, node: { ...config.node } }
    if (args.key === 'api-port') next.api.port = integerFlag('api-port', args.value, 0, 65535)
    else {
      const option = Object.entries(optionFlags).find(([, flag]) => flag === `--${args.key}`)?.[0]
      const parsed = nodeOptionsFromFlags({ [args.key]: args.value }) as Record<string, unknown>
      const node = next.node as Record<string, unknown>
      if (option === undefined) throw new UserError(`${args.key} cannot be set here`)
      if (parsed[option] === undefined) delete node[option]
      else node[option] = parsed[option]
      checkNodeOptions(next.node, dir)
    }
    await writeDaemonConfig(dir, next)
    const value = flatten(next)[args.key]
    if (args.json) return printJson({ [args.key]: value ?? null })
    printLine(`${args.key} = ${format(value)} (a running daemon takes it at its next start)`)
  }
})

/** daemon.json by flag names: api-port, then each node option set, under the flag that sets it. */
function flatten(config: DaemonConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { 'api-port': config.api.port }
  for (const [option, value] of Object.entries(config.node)) {
    const flag = optionFlags[option]
    out[flag === undefined ? option : flag.slice(2)] = value
  }
  return out
}

function format(value: unknown): string {
  if (value === undefined) return '(not set: the node default)'
  return Array.isArray(value) ? value.join(',') : String(value)
}
