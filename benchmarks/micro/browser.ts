// Erasure encode and AES-256-GCM on Node and in headless Chromium (Debian's /usr/bin/chromium),
// the same code (lib/portable-workload.ts) in the same run: Node directly, Chromium as an esbuild
// bundle in a page served from 127.0.0.1. `npm run bench -- browser [--json]`
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundle } from '../../test/browser/bundle.ts'
import { launchChromium, serveStatic } from '../../test/browser/chromium.ts'
import { type PortableRow, portableWorkload } from '../lib/portable-workload.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

const root = new URL('../../', import.meta.url).pathname

async function inChromium(): Promise<{ version: string; rows: PortableRow[] }> {
  const out = mkdtempSync(join(tmpdir(), 'defs-browser-bench-'))
  writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>DeFS bench</title>\n')
  const [entry] = await bundle([join(root, 'benchmarks/lib/portable-entry.ts')], root, out)
  const chromium = await launchChromium()
  const server = await serveStatic([out])
  try {
    const page = await chromium.context.newPage()
    page.setDefaultTimeout(600_000)
    await page.goto(`${server.url}/index.html`)
    const rows = await page.evaluate(async (url) => {
      await import(url)
      const bench = (globalThis as { __defsBench?: () => Promise<PortableRow[]> }).__defsBench
      if (bench === undefined) throw new Error('the bench bundle did not load')
      return bench()
    }, `${server.url}/${entry}`)
    return { version: chromium.version, rows }
  } finally {
    await chromium.close()
    await server.close()
    rmSync(out, { recursive: true, force: true })
  }
}

export async function run(options: SuiteOptions): Promise<void> {
  const report = new Report('browser', options.json)
  const node = await portableWorkload()
  const chromium = await inChromium()
  report.note(
    `Node ${process.version} beside Chromium ${chromium.version} (headless), same machine, same run`
  )
  for (const [runtime, rows] of [
    [`Node ${process.version}`, node],
    [`Chromium ${chromium.version.split('.')[0]}`, chromium.rows]
  ] as const)
    for (const row of rows) report.add({ runtime, ...row, gbps: row.gbps })
  report.printTable(['op', 'shape', 'runtime', 'backend', 'gbps'])
}
