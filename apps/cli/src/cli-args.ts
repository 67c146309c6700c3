// Flags many commands share, declared once so every --help says the same thing.
import { defaultApiPort, nodeFlagHelp, serviceFlagNames } from '@defs/daemon'

export const verboseArg = {
  verbose: {
    type: 'boolean',
    alias: 'v',
    description: 'more detail (e.g. where every shard went), and the stack of an error'
  }
} as const

/** The file a reading command takes: an id (this node) or a capability (any node). */
export const refArg = {
  ref: {
    type: 'positional',
    required: true,
    description: 'file id, or capability defs:<id>:<key>',
    valueHint: 'ID|CAPABILITY'
  }
} as const

export const jsonArg = {
  json: { type: 'boolean', description: 'print JSON instead of text' }
} as const

export const dirArg = {
  dir: { type: 'string', description: 'node directory (or DEFS_DIR; default ~/.defs)', valueHint: 'DIR' }
} as const

/** How a client command finds its daemon: flags, then DEFS_API/DEFS_TOKEN, then the node directory. */
export const connectionArgs = {
  api: { type: 'string', description: 'daemon API URL (or DEFS_API)', valueHint: 'URL' },
  token: { type: 'string', description: 'API token (or DEFS_TOKEN)', valueHint: 'HEX' },
  ...dirArg
} as const

/** A user session from `defs login`: the command acts for that user (their tree, their shares). */
export const sessionArg = {
  session: {
    type: 'string',
    description: 'act for a user: the session token defs login printed (or DEFS_SESSION)',
    valueHint: 'TOKEN'
  }
} as const

export const clientArgs = { ...connectionArgs, ...jsonArg, ...verboseArg } as const

/** The node option flags of `defs init`, `defs start` and `defs devnet`, as citty declares them. */
export const nodeArgs = Object.fromEntries(
  Object.entries(nodeFlagHelp).map(([flag, description]) => [
    flag,
    {
      type: 'string' as const,
      description,
      ...(flag === 'bootstrap' || flag === 'announce' ? { multiple: true } : {})
    }
  ])
) as { [K in keyof typeof nodeFlagHelp]: { type: 'string'; description: string; multiple?: boolean } }

/** The built-in services' flags, as `defs devnet` declares them for every node. */
export const serviceArgs = Object.fromEntries(serviceFlagNames.map((flag) => [flag, nodeArgs[flag]])) as Pick<
  typeof nodeArgs,
  (typeof serviceFlagNames)[number]
>

/** What `defs init` and `defs start` take: the node directory, the API port and the node flags. */
export const daemonArgs = {
  ...dirArg,
  'api-port': {
    type: 'string',
    description: `API port on 127.0.0.1 (default: daemon.json's, else ${defaultApiPort})`,
    valueHint: 'N'
  },
  ...nodeArgs,
  ...jsonArg,
  ...verboseArg
} as const
