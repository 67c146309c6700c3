// Reads a CI log that interleaves node:test (spec or TAP), bun test and deno test output (behind turbo's
// "pkg:task: " prefixes) and prints one plain closing line: "N passed, N failed". Above it go the
// first lines of node:test's "failing tests" sections, so that the tail of a red CI log says what
// failed and why, not only how many.
import { readFileSync } from 'node:fs'

const log = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')
const totals = { passed: 0, failed: 0, skipped: 0 }
const kinds: Record<string, keyof typeof totals> = {
  pass: 'passed',
  passed: 'passed',
  fail: 'failed',
  failed: 'failed',
  skip: 'skipped',
  skipped: 'skipped',
  ignored: 'skipped'
}

/** Lines of failure detail kept: enough for the assertion and the top of its stack, per run. */
const maxFailureLines = 40
const failures: string[] = []
let inFailures = false

for (const raw of log.split('\n')) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strip ANSI colours from runner output
  const line = raw.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\S+:\S+: /, '')
  // node:test's spec reporter closes a run that failed with "✖ failing tests:" and the errors.
  if (/^✖ failing tests:/.test(line)) {
    inFailures = true
    continue
  }
  if (inFailures) {
    if (/^(?:ℹ|#) /.test(line) || failures.length >= maxFailureLines) inFailures = false
    else if (line.trim() !== '') failures.push(line.trimEnd())
  }
  // node:test: "ℹ pass 12" (spec reporter), "# pass 12" (TAP, its default when stdout is no terminal)
  const node = line.match(/^(?:ℹ|#) (pass|fail|skipped) (\d+)$/)
  if (node !== null) {
    totals[kinds[node[1]!]!] += Number(node[2])
    continue
  }
  // bun test: " 12 pass"
  const bun = line.match(/^\s*(\d+) (pass|fail|skip)$/)
  if (bun !== null) {
    totals[kinds[bun[2]!]!] += Number(bun[1])
    continue
  }
  // deno: "ok | 2 passed (14 steps) | 0 failed (0 steps)": node:test's it() are deno steps.
  const deno = line.match(/^(?:ok|FAILED) \| (.*)$/)
  if (deno === null) continue
  for (const part of deno[1]!.split('|')) {
    const t = part.trim().match(/^(\d+) (passed|failed|ignored)(?: \((\d+) steps?\))?/)
    if (t !== null) totals[kinds[t[2]!]!] += Number(t[3] ?? t[1])
  }
}
const { passed, failed, skipped } = totals
if (failures.length > 0) console.log(['failing tests (first lines):', ...failures].join('\n'))
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
