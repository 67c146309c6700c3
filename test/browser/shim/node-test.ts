// The part of node:test our L0-L1 test files use (describe, it, hooks, skip), for a browser
// bundle: tests register while the file's module runs, then run() runs them in order, each under
// a timeout, and returns one result per test. The runner reports them as node:test does.

type Body = () => unknown
type Hook = () => unknown
interface Options {
  skip?: boolean | string
  timeout?: number
}

interface TestCase {
  kind: 'test'
  name: string
  options: Options
  body: Body | undefined
}

interface Suite {
  kind: 'suite'
  name: string
  options: Options
  children: (TestCase | Suite)[]
  before: Hook[]
  after: Hook[]
  beforeEach: Hook[]
  afterEach: Hook[]
  /** An async describe body: its tests are registered once it settles. */
  registered: Promise<unknown>[]
}

export interface TestResult {
  name: string
  status: 'pass' | 'fail' | 'skip'
  ms: number
  error?: string
  skipReason?: string
}

const DEFAULT_TIMEOUT_MS = 120_000

const newSuite = (name: string, options: Options): Suite => ({
  kind: 'suite',
  name,
  options,
  children: [],
  before: [],
  after: [],
  beforeEach: [],
  afterEach: [],
  registered: []
})

const root = newSuite('', {})
let current = root

function args(a: Options | Body | undefined, b: Body | undefined): [Options, Body | undefined] {
  return typeof a === 'function' ? [{}, a] : [a ?? {}, b]
}

export function describe(name: string, a?: Options | Body, b?: Body): void {
  const [options, body] = args(a, b)
  const suite = newSuite(name, options)
  current.children.push(suite)
  const parent = current
  current = suite
  try {
    const out = body?.()
    if (out instanceof Promise) parent.registered.push(out)
  } finally {
    current = parent
  }
}

export function it(name: string, a?: Options | Body, b?: Body): void {
  const [options, body] = args(a, b)
  current.children.push({ kind: 'test', name, options, body })
}

export const test = it
describe.skip = (name: string, body?: Body) => describe(name, { skip: true }, body)
it.skip = (name: string, body?: Body) => it(name, { skip: true }, body)

export const before = (hook: Hook): void => void current.before.push(hook)
export const after = (hook: Hook): void => void current.after.push(hook)
export const beforeEach = (hook: Hook): void => void current.beforeEach.push(hook)
export const afterEach = (hook: Hook): void => void current.afterEach.push(hook)

function describeError(err: unknown): string {
  // V8's stack starts with "Name: message".
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`
  return String(err)
}

async function within(ms: number, what: string, body: () => unknown): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  try {
    await Promise.race([Promise.resolve().then(body), timeout])
  } finally {
    clearTimeout(timer)
  }
}

const skipReason = (skip: boolean | string | undefined): string | undefined =>
  skip === undefined || skip === false ? undefined : skip === true ? 'skipped' : skip

async function runSuite(suite: Suite, path: string[], chain: Suite[], out: TestResult[]): Promise<void> {
  await Promise.all(suite.registered)
  const names = suite.name === '' ? path : [...path, suite.name]
  const tests = (s: Suite): TestCase[] => s.children.flatMap((c) => (c.kind === 'test' ? [c] : tests(c)))
  const failAll = (status: 'fail' | 'skip', detail: string): void => {
    for (const t of tests(suite)) {
      const name = [...names, t.name].join(' > ')
      out.push(
        status === 'fail'
          ? { name, status, ms: 0, error: detail }
          : { name, status, ms: 0, skipReason: detail }
      )
    }
  }
  const suiteSkip = skipReason(suite.options.skip)
  if (suiteSkip !== undefined) return failAll('skip', suiteSkip)
  const inner = [...chain, suite]
  try {
    for (const hook of suite.before) await within(DEFAULT_TIMEOUT_MS, 'before hook', hook)
  } catch (err) {
    // A failed before hook fails every test under it, as node:test does.
    return failAll('fail', describeError(err))
  }
  for (const child of suite.children) {
    if (child.kind === 'suite') {
      await runSuite(child, names, inner, out)
      continue
    }
    const name = [...names, child.name].join(' > ')
    const reason = skipReason(child.options.skip) ?? (child.body === undefined ? 'todo' : undefined)
    if (reason !== undefined) {
      out.push({ name, status: 'skip', ms: 0, skipReason: reason })
      continue
    }
    const start = performance.now()
    try {
      for (const s of inner) for (const hook of s.beforeEach) await hook()
      await within(child.options.timeout ?? DEFAULT_TIMEOUT_MS, name, child.body!)
      for (const s of [...inner].reverse()) for (const hook of s.afterEach) await hook()
      out.push({ name, status: 'pass', ms: performance.now() - start })
    } catch (err) {
      out.push({ name, status: 'fail', ms: performance.now() - start, error: describeError(err) })
    }
  }
  try {
    for (const hook of suite.after) await within(DEFAULT_TIMEOUT_MS, 'after hook', hook)
  } catch (err) {
    out.push({ name: [...names, 'after hook'].join(' > '), status: 'fail', ms: 0, error: describeError(err) })
  }
}

/** Runs every registered test, in registration order. */
export async function run(): Promise<TestResult[]> {
  const out: TestResult[] = []
  await runSuite(root, [], [], out)
  return out
}
// The runner page finds run() here once a test bundle's module has been evaluated.
;(globalThis as { __defsTests?: unknown }).__defsTests = { run }
