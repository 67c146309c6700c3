// npm run test:browser [-- <package>...]: the node:test files of the L0-L1 packages, bundled
// with esbuild, each run in its own page of headless Chromium (Debian's /usr/bin/chromium).
// Prints one line per test and node:test's closing totals ("ℹ pass N"), which
// scripts/test-summary.ts counts; exits 1 on any failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundle, testFiles } from './bundle.ts'
import { launchChromium, serveStatic } from './chromium.ts'
import type { TestResult } from './shim/node-test.ts'

const PACKAGES = ['erasure', 'crypto', 'kbucket', 'segment']
const FILE_TIMEOUT_MS = 600_000

const root = new URL('../../', import.meta.url).pathname
const chosen = process.argv.slice(2)
const packages = chosen.length > 0 ? chosen : PACKAGES
for (const p of packages)
  if (!PACKAGES.includes(p))
    throw new Error(`test:browser: package must be one of ${PACKAGES.join(', ')}, got ${p}`)

const out = mkdtempSync(join(tmpdir(), 'defs-browser-tests-'))
writeFileSync(join(out, 'index.html'), '<!doctype html><meta charset="utf-8"><title>DeFS tests</title>\n')

const totals = { pass: 0, fail: 0, skip: 0 }
const started = performance.now()
const chromium = await launchChromium()
const server = await serveStatic([out, root])
try {
  console.log(`# Chromium ${chromium.version}, headless, fresh profile`)
  for (const name of packages) {
    const dir = join(root, 'packages', name)
    const files = testFiles(dir)
    const bundles = await bundle(
      files.map((f) => join(dir, f)),
      root,
      out
    )
    for (const file of bundles) await runFile(`${name}/${file.split('/test/')[1]}`, file)
  }
} finally {
  await chromium.close()
  await server.close()
  rmSync(out, { recursive: true, force: true })
}

console.log(`ℹ tests ${totals.pass + totals.fail + totals.skip}`)
console.log(`ℹ pass ${totals.pass}`)
console.log(`ℹ fail ${totals.fail}`)
console.log(`ℹ skipped ${totals.skip}`)
console.log(`ℹ duration_ms ${(performance.now() - started).toFixed(0)}`)
process.exit(totals.fail > 0 ? 1 : 0)

async function runFile(label: string, bundlePath: string): Promise<void> {
  const page = await chromium.context.newPage()
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(String(err)))
  page.on('console', (message) => console.log(`  ${message.text()}`))
  try {
    // segment's property tests log their seed; SEGMENT_SEED replays one, here as under Node.
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a seed to replay, never a cache input
    const seed = process.env.SEGMENT_SEED
    const query = seed !== undefined ? `?SEGMENT_SEED=${seed}` : ''
    await page.goto(`${server.url}/index.html${query}`)
    page.setDefaultTimeout(FILE_TIMEOUT_MS)
    const results = await page.evaluate(async (url) => {
      await import(url)
      const tests = (globalThis as { __defsTests?: { run(): Promise<TestResult[]> } }).__defsTests
      if (tests === undefined) throw new Error('the bundle registered no tests (node:test shim missing)')
      return tests.run()
    }, `${server.url}/${bundlePath}`)
    if (results.length === 0) report({ name: label, status: 'fail', ms: 0, error: 'no tests in the file' })
    for (const r of results) report({ ...r, name: `${label} > ${r.name}` })
  } catch (err) {
    report({ name: label, status: 'fail', ms: 0, error: [String(err), ...errors].join('\n') })
  } finally {
    await page.close()
  }
}

function report(r: TestResult): void {
  totals[r.status]++
  const ms = `(${r.ms.toFixed(1)} ms)`
  if (r.status === 'pass') console.log(`✔ ${r.name} ${ms}`)
  else if (r.status === 'skip') console.log(`﹣ ${r.name} # SKIP ${r.skipReason}`)
  else console.log(`✖ ${r.name} ${ms}\n  ${(r.error ?? '').split('\n').join('\n  ')}`)
}
