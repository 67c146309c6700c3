// esbuild bundles of test files for the browser: workspace packages from their TypeScript
// (@defs/source), node:test and node:assert/strict from the shims beside this file, and the few
// other node: modules the tests touch (fs for a vector file, crypto for SHA-256, buffer, process).
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { build } from 'esbuild'

const shim = (name: string): string => new URL(`./shim/${name}`, import.meta.url).pathname

const ALIASES: Record<string, string> = {
  'node:test': shim('node-test.ts'),
  'node:assert/strict': shim('node-assert.ts'),
  'node:assert': shim('node-assert.ts'),
  'node:fs': shim('node-fs.ts'),
  'node:crypto': shim('node-crypto.ts'),
  'node:process': shim('node-process.ts'),
  'node:buffer': 'buffer'
}

/** The test files of a package directory, relative to it (`test/a.test.ts`). */
export function testFiles(packageDir: string): string[] {
  return readdirSync(join(packageDir, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f))
    .sort()
}

/**
 * Bundles each entry (absolute paths under `base`) to `outDir`, keeping its path below `base`:
 * served from the same path as its source, a bundle's `import.meta.url` resolves the files the
 * source reads beside it.
 */
export async function bundle(entries: string[], base: string, outDir: string): Promise<string[]> {
  await build({
    entryPoints: entries,
    outbase: base,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    conditions: ['@defs/source'],
    alias: ALIASES,
    inject: [shim('buffer-global.ts')],
    sourcemap: 'inline',
    logLevel: 'warning'
  })
  return entries.map((e) => relative(base, e).replace(/\.ts$/, '.js'))
}
