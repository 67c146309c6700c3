// The layer rule, checked (part of `npm run lint`): a package's source imports only packages of a
// lower layer and only packages its package.json declares; L0 and L1 import no Node built-in at
// run time (type-only imports are erased), so they stay portable to Bun, Deno and browsers; and a
// package declares no @defs dependency it does not import. Tests may also use devDependencies and
// the root's. Exits 1 with one line per breach.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** The layers of doc/architecture.md. The CLI runs the daemon in process, so it sits above it. */
const layers: Record<string, number> = {
  '@defs/erasure': 0,
  '@defs/crypto': 0,
  '@defs/kbucket': 0,
  '@defs/segment': 1,
  '@defs/net': 2,
  '@defs/pairing': 3,
  '@defs/mirror': 3,
  '@defs/node': 4,
  '@defs/client': 5,
  '@defs/daemon': 5,
  '@defs/cli': 6
}
const portableBelow = 2

interface Manifest {
  name: string
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}

const root = join(import.meta.dirname, '..')
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest
const problems: string[] = []

function checkPackage(dir: string, manifest: Manifest): void {
  const own = layers[manifest.name]
  const runtime = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {})
  ])
  const forTests = new Set([
    ...runtime,
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(rootManifest.devDependencies ?? {})
  ])
  const usedDefs = new Set<string>()
  for (const file of sources(join(dir, 'src'))) {
    for (const { spec, typeOnly } of imports(file)) {
      const where = relative(root, file)
      if (spec.startsWith('node:')) {
        if (own !== undefined && own < portableBelow && !typeOnly)
          problems.push(`${where}: L${own} package imports ${spec} at run time; keep L0-L1 portable`)
        continue
      }
      const pkg = packageOf(spec)
      if (pkg === undefined || pkg === manifest.name) continue
      if (pkg.startsWith('@defs/')) usedDefs.add(pkg)
      if (!runtime.has(pkg))
        problems.push(`${where}: imports ${pkg}, which ${manifest.name} does not declare`)
      const theirs = layers[pkg]
      if (own !== undefined && theirs !== undefined && theirs >= own) {
        problems.push(
          `${where}: ${manifest.name} (L${own}) imports ${pkg} (L${theirs}); import only from below`
        )
      }
    }
  }
  for (const file of sources(join(dir, 'test'))) {
    for (const { spec } of imports(file)) {
      const pkg = packageOf(spec)
      if (pkg === undefined || pkg === manifest.name || spec.startsWith('node:')) continue
      if (pkg.startsWith('@defs/')) usedDefs.add(pkg)
      if (!forTests.has(pkg)) problems.push(`${relative(root, file)}: imports ${pkg}, which is not declared`)
    }
  }
  for (const dep of runtime) {
    if (dep.startsWith('@defs/') && !usedDefs.has(dep))
      problems.push(`${manifest.name} declares ${dep} but never imports it`)
  }
}

/** The package a bare specifier names; undefined for relative and absolute paths. */
function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/')) return undefined
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

const importPattern =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8')
  const out: { spec: string; typeOnly: boolean }[] = []
  for (const m of text.matchAll(importPattern)) {
    const spec = m[3] ?? m[4]
    if (spec !== undefined) out.push({ spec, typeOnly: m[2] !== undefined })
  }
  return out
}

function* sources(dir: string): Generator<string> {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'dist') continue
    if (statSync(path).isDirectory()) yield* sources(path)
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield path
  }
}

main()

function main(): void {
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const dir = join(root, group, name)
      const manifestPath = join(dir, 'package.json')
      try {
        statSync(manifestPath)
      } catch {
        continue
      }
      checkPackage(dir, JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest)
    }
  }

  if (problems.length > 0) {
    for (const p of problems) console.error(p)
    process.exit(1)
  }
  console.log(`layers: ${Object.keys(layers).length} layer entries, every import declared and downward`)
}
