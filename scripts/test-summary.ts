// Reads a CI log that interleaves node:test, bun test and deno test output (behind turbo's
// "pkg:task: " prefixes) and prints one plain closing line: "N passed, N failed".
import { readFileSync } from 'node:fs'

const log = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8')
let passed = 0
let failed = 0
let skipped = 0
for (const raw of log.split('\n')) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strip ANSI colours from runner output
  const line = raw.replace(/\x1b\[[0-9;]*m/g, '').replace(/^\S+:\S+: /, '')
  let m: RegExpMatchArray | null
  if ((m = line.match(/^ℹ (pass|fail|skipped) (\d+)$/))) {
    const n = Number(m[2])
    if (m[1] === 'pass') passed += n
    else if (m[1] === 'fail') failed += n
    else skipped += n
  } else if ((m = line.match(/^\s*(\d+) (pass|fail|skip)$/))) {
    const n = Number(m[1])
    if (m[2] === 'pass') passed += n
    else if (m[2] === 'fail') failed += n
    else skipped += n
  } else if ((m = line.match(/^(ok|FAILED) \| (.*)$/))) {
    // deno: "ok | 2 passed (14 steps) | 0 failed (0 steps)": node:test's it() are deno steps.
    for (const part of m[2]!.split('|')) {
      const t = part.trim().match(/^(\d+) (passed|failed|ignored)(?: \((\d+) steps?\))?/)
      if (!t) continue
      const n = Number(t[3] ?? t[1])
      if (t[2] === 'passed') passed += n
      else if (t[2] === 'failed') failed += n
      else skipped += n
    }
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
