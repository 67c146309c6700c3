// Builds the dashboard into dist/dashboard: one esbuild bundle of dashboard/src (Preact and the
// typed client included, from their TypeScript), its stylesheet, and index.html naming both by
// content hash (so the daemon can cache them for good). Written to a temp dir and renamed into
// place, so a daemon never serves half a build. `npm run build:assets -w @defs/daemon`;
// `npm install` in a checkout runs it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { build } from 'esbuild'

const here = (path: string): string => new URL(`../${path}`, import.meta.url).pathname

export async function buildDashboard(outDir = here('dist/dashboard')): Promise<string> {
  const tmp = `${outDir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(`${tmp}/assets`, { recursive: true })
  try {
    const result = await build({
      entryPoints: [here('dashboard/src/app.tsx'), here('dashboard/src/styles.css')],
      outdir: `${tmp}/assets`,
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      conditions: ['@defs/source'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      minify: true,
      sourcemap: true,
      metafile: true,
      logLevel: 'warning'
    })
    const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p))
    const script = outputs.find((n) => n.endsWith('.js'))!
    const styles = outputs.find((n) => n.endsWith('.css'))!
    const page = readFileSync(here('dashboard/index.html'), 'utf8')
      .replace('/assets/SCRIPT', `/assets/${script}`)
      .replace('/assets/STYLES', `/assets/${styles}`)
    writeFileSync(`${tmp}/index.html`, page)
    rmSync(outDir, { recursive: true, force: true })
    renameSync(tmp, outDir)
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true })
    throw err
  }
  return outDir
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDashboard()
