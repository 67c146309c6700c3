// Builds the page into dist/: index.html and reader.js, one esbuild bundle of src/page.ts and the
// DeFS packages it uses (from their TypeScript: no build of them needed). TCP and QUIC are left out: net loads a transport only when asked for,
// and the page asks for websockets alone. `npm run build -w @defs/web-reader`
import { copyFileSync, mkdirSync } from 'node:fs'
import { build } from 'esbuild'

const here = (path: string): string => new URL(`../${path}`, import.meta.url).pathname

export async function buildReader(outDir = here('dist')): Promise<string> {
  mkdirSync(outDir, { recursive: true })
  await build({
    entryPoints: [here('src/page.ts')],
    outfile: `${outDir}/reader.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    conditions: ['@defs/source'],
    minify: true,
    sourcemap: true,
    external: ['@libp2p/tcp', '@chainsafe/libp2p-quic'],
    logLevel: 'warning'
  })
  copyFileSync(here('index.html'), `${outDir}/index.html`)
  return outDir
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await buildReader())
