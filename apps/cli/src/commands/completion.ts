// defs completion bash|zsh: a completion script made from the commands' own declarations, so it
// offers exactly the flags each command accepts. zsh runs the bash one through bashcompinit.
//   bash: source <(defs completion bash)      (or save it in /etc/bash_completion.d/defs)
//   zsh:  source <(defs completion zsh)       (in ~/.zshrc)
import { defineCommand } from 'citty'
import { verboseArg } from '../cli-args.ts'
import { printLine } from '../output.ts'
import { acceptedFlags, type FlagDefs } from '../parse-flags.ts'
import { root } from '../root.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'completion', description: 'Print a shell completion script (bash or zsh)' },
  args: {
    shell: { type: 'positional', required: true, description: 'bash or zsh', valueHint: 'SHELL' },
    ...verboseArg
  },
  async run({ args }) {
    if (args.shell !== 'bash' && args.shell !== 'zsh')
      throw new UserError(`defs completion knows bash and zsh, not ${JSON.stringify(args.shell)}`)
    const script = await bashScript()
    printLine(args.shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script)
  }
})

async function bashScript(): Promise<string> {
  const loaders = root.subCommands as Record<string, () => Promise<{ args?: unknown }>>
  const cases: string[] = []
  for (const [name, load] of Object.entries(loaders)) {
    const flags = acceptedFlags(((await load()).args ?? {}) as FlagDefs).filter((f) => f.startsWith('--'))
    cases.push(`    ${name}) flags="${[...flags, '--help'].join(' ')}" ;;`)
  }
  return `_defs() {
  local cur=\${COMP_WORDS[COMP_CWORD]} flags
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${Object.keys(loaders).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    *) flags="" ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _defs defs`
}
