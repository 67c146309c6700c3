// The command line of one command, parsed strictly from the same declaration its --help is
// rendered from: an unknown flag, a missing value, a value outside an enum or a surplus argument
// is refused here, naming the flag as the user typed it, before the command does anything.
// node:util parseArgs does the tokenizing; this maps its errors to one line and fills in
// positionals, defaults and repeated flags.
import { parseArgs } from 'node:util'
import { FlagError } from '@defs/daemon'

export interface FlagDef {
  type: 'string' | 'boolean' | 'enum' | 'positional'
  alias?: string
  default?: string | boolean
  options?: readonly string[]
  required?: boolean
  /** A flag that may be given several times; its value is then an array of every one. */
  multiple?: boolean
  description?: string
  valueHint?: string
}

export type FlagDefs = Record<string, FlagDef>

/** Parses `rawArgs` (what follows the command name) against `defs`; `command` names it in errors. */
export function parseFlags(rawArgs: string[], defs: FlagDefs, command: string): Record<string, unknown> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === 'positional') continue
    options[name] = {
      type: def.type === 'boolean' ? 'boolean' : 'string',
      ...(def.alias !== undefined ? { short: def.alias } : {}),
      ...(def.multiple ? { multiple: true } : {})
    }
  }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: rawArgs, options, allowPositionals: true, allowNegative: true, strict: true })
  } catch (err) {
    throw flagError(err as NodeJS.ErrnoException, defs, command)
  }
  const values = parsed.values as Record<string, unknown>
  const out: Record<string, unknown> = {}
  const positionals = [...parsed.positionals]
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === 'positional') {
      const value = positionals.shift() ?? def.default
      if (value === undefined && def.required !== false)
        throw new FlagError(
          `missing ${def.valueHint ?? name.toUpperCase()} for defs ${command} (see defs ${command} --help)`
        )
      out[name] = value
      continue
    }
    const value = values[name] ?? def.default
    if (def.type === 'enum' && value !== undefined && !def.options?.includes(value as string)) {
      throw new FlagError(`--${name} must be one of ${def.options?.join(', ')}, got ${JSON.stringify(value)}`)
    }
    out[name] = value
  }
  if (positionals.length > 0) {
    throw new FlagError(
      `unexpected argument ${JSON.stringify(positionals[0])} for defs ${command} (see defs ${command} --help)`
    )
  }
  return out
}

/** The flags a command accepts, as typed: `--name` and `-x` for each alias. */
export function acceptedFlags(defs: FlagDefs): string[] {
  return Object.entries(defs).flatMap(([name, def]) =>
    def.type === 'positional' ? [] : [`--${name}`, ...(def.alias !== undefined ? [`-${def.alias}`] : [])]
  )
}

function flagError(err: NodeJS.ErrnoException, defs: FlagDefs, command: string): Error {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? ''
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const typed = quoted.split('=')[0]!
    const guess = closest(typed.replace(/^-+(no-)?/, ''), defs)
    return new FlagError(
      `unknown option ${typed} for defs ${command}${guess ? ` (did you mean --${guess}?)` : ''}; see defs ${command} --help`
    )
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return new FlagError(`unexpected argument ${JSON.stringify(quoted)} for defs ${command}`)
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '-k, --data-shards <value>' argument missing" and its kin: name the long flag.
    const flag = /--[\w-]+/.exec(quoted)?.[0] ?? quoted
    if (/argument missing/.test(err.message)) return new FlagError(`${flag} needs a value`)
    if (/does not take an argument/.test(err.message)) return new FlagError(`${flag} takes no value`)
    if (/ambiguous/.test(err.message))
      return new FlagError(`${flag} needs a value; a value starting with - goes as ${flag}=VALUE`)
  }
  return new FlagError(err.message.split('\n')[0]!)
}

/** The declared flag a mistyped one most likely meant: shares a prefix, or contains it. */
function closest(typed: string, defs: FlagDefs): string | undefined {
  const names = Object.entries(defs)
    .filter(([, d]) => d.type !== 'positional')
    .map(([n]) => n)
  return (
    names.find((n) => n.startsWith(typed) || typed.startsWith(n)) ??
    names.find((n) => typed.length >= 3 && n.includes(typed))
  )
}
