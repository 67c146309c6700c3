// Where the daemon's process entry lives, for parents that spawn daemons (the CLI's devnet).
// From source it is main.ts and needs the @defs/source condition; built, it is dist/main.js.
import { fileURLToPath } from 'node:url'

export interface EntryPoint {
  /** Arguments for `process.execPath` before the daemon's own flags. */
  execArgv: string[]
  script: string
}

export function daemonEntryPoint(): EntryPoint {
  const fromSource = import.meta.url.endsWith('.ts')
  const script = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', import.meta.url))
  return { execArgv: fromSource ? ['--conditions=@defs/source', ...stripTypesFlag()] : [], script }
}

/** Node 22.6-22.17 strips types only when asked; from 22.18 and 23.6 it is the default. */
function stripTypesFlag(): string[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  const byDefault = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
  return byDefault ? [] : ['--experimental-strip-types']
}
