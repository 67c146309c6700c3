// `npm run bench -- [suite ...] [--json]`: runs the named suites (all micro suites by default).
// Each suite is a module in micro/ or scenarios/ exporting `run(options)`.
import { existsSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'

export interface SuiteOptions {
  json: boolean
  args: string[]
}

const here = fileURLToPath(new URL('.', import.meta.url))
const argv = process.argv.slice(2)
const json = argv.includes('--json')
// Suite names come first; everything from the first flag on is the suites' own (e.g. --size 1GiB).
const firstFlag = argv.findIndex((a) => a.startsWith('-'))
const names = (firstFlag < 0 ? argv : argv.slice(0, firstFlag)).filter((a) => !a.startsWith('-'))

function allSuites(): string[] {
  return ['micro', 'scenarios'].flatMap((dir) =>
    readdirSync(`${here}${dir}`)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3))
  )
}

function suitePath(name: string): string | undefined {
  for (const dir of ['micro', 'scenarios']) {
    const p = `${here}${dir}/${name}.ts`
    if (existsSync(p)) return p
  }
  return undefined
}

const defaults = ['erasure', 'crypto', 'codec', 'kbucket'].filter((n) => suitePath(n) !== undefined)
const chosen = names.length > 0 ? names : defaults
const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, Node ${process.version}`
if (json) console.error(`# ${machine}`)
else console.log(`# ${machine}`)

for (const name of chosen) {
  const path = suitePath(name)
  if (path === undefined) {
    console.error(`unknown benchmark suite '${name}' (have: ${allSuites().join(', ')})`)
    process.exit(1)
  }
  const suite = (await import(path)) as { run: (o: SuiteOptions) => Promise<void> }
  if (!json) console.log(`\n## ${name}`)
  await suite.run({ json, args: argv })
}
