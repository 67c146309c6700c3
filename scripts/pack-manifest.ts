// A package's prepack and postpack (run in the package's directory by `npm pack` and
// `npm publish`). prepack builds dist/ from scratch, so a pack never ships a stale or missing
// build, and takes the `@defs/source` export condition out of package.json: it points at src/,
// which the tarball does not contain. postpack puts package.json back as it was.
//   node ../../scripts/pack-manifest.ts prepack | postpack
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'

const manifest = 'package.json'
const kept = 'package.json.prepack'
const sourceCondition = '@defs/source'

type Exports = string | null | Exports[] | { [condition: string]: Exports }

function withoutSource(exports: Exports): Exports {
  if (Array.isArray(exports)) return exports.map(withoutSource)
  if (exports === null || typeof exports !== 'object') return exports
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([condition]) => condition !== sourceCondition)
      .map(([condition, target]) => [condition, withoutSource(target)])
  )
}

function restore(): void {
  if (existsSync(kept)) renameSync(kept, manifest)
}

function prepack(): void {
  // A pack that failed after its prepack left the stripped file behind: start from the original.
  restore()
  rmSync('dist', { recursive: true, force: true })
  rmSync('tsconfig.build.tsbuildinfo', { force: true })
  const build = spawnSync('tsc', ['-b', 'tsconfig.build.json'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
  // What tsc does not make (the daemon's dashboard bundle) comes from the package's build:assets.
  const assets = spawnSync('npm', ['run', '--silent', '--if-present', 'build:assets'], { stdio: 'inherit' })
  if (assets.status !== 0) process.exit(assets.status ?? 1)
  const text = readFileSync(manifest, 'utf8')
  const pkg = JSON.parse(text) as { exports?: Exports }
  writeFileSync(kept, text)
  if (pkg.exports !== undefined) pkg.exports = withoutSource(pkg.exports)
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`)
}

const step = process.argv[2]
if (step === 'prepack') prepack()
else if (step === 'postpack') restore()
else {
  console.error(`pack-manifest: step must be prepack or postpack, got ${step}`)
  process.exit(2)
}
