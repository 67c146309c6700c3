// node:assert/strict for a browser bundle: the calls our L0-L1 tests make, with Node's strict
// semantics (Object.is, deep equality that compares constructors and typed-array bytes, throws
// and rejects validating a class, a RegExp against String(error), an object of properties or a
// predicate). Deep equality is dequal's.
import { dequal } from 'dequal'

export class AssertionError extends Error {
  override name = 'AssertionError'
  code = 'ERR_ASSERTION'
}

type Message = string | Error | undefined
type Expected = RegExp | (new (...args: never[]) => unknown) | ((err: unknown) => boolean) | object

const show = (value: unknown): string => {
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.length}) [${value.slice(0, 16)}]`
  try {
    return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value))
  } catch {
    return String(value)
  }
}

function fail_(message: Message, fallback: string): never {
  if (message instanceof Error) throw message
  throw new AssertionError(message ?? fallback)
}

export function ok(value: unknown, message?: Message): asserts value {
  if (!value) fail_(message, `expected a truthy value, got ${show(value)}`)
}

export function equal(actual: unknown, expected: unknown, message?: Message): void {
  if (!Object.is(actual, expected)) fail_(message, `expected ${show(expected)}, got ${show(actual)}`)
}

export function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (Object.is(actual, expected)) fail_(message, `expected anything but ${show(expected)}`)
}

export function deepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (!dequal(actual, expected))
    fail_(message, `not deep-equal:\n  got      ${show(actual)}\n  expected ${show(expected)}`)
}

export function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (dequal(actual, expected)) fail_(message, `expected not deep-equal to ${show(expected)}`)
}

export function match(value: string, pattern: RegExp, message?: Message): void {
  if (typeof value !== 'string' || !pattern.test(value))
    fail_(message, `${show(value)} does not match ${pattern}`)
}

export function fail(message?: Message): never {
  fail_(message, 'Failed')
}

function validate(err: unknown, expected: Expected | undefined, message: Message): void {
  if (expected === undefined) return
  if (expected instanceof RegExp) {
    if (!expected.test(String(err))) fail_(message, `${String(err)} does not match ${expected}`)
    return
  }
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && err instanceof (expected as new () => unknown)) return
    if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error)
      fail_(message, `expected a ${expected.name}, got ${String(err)}`)
    if ((expected as (e: unknown) => unknown).call({}, err) !== true)
      fail_(message, `the validation function did not return true for ${String(err)}`)
    return
  }
  for (const [key, want] of Object.entries(expected)) {
    const got = (err as Record<string, unknown>)[key]
    const same = want instanceof RegExp && typeof got === 'string' ? want.test(got) : dequal(got, want)
    if (!same) fail_(message, `error.${key} is ${show(got)}, expected ${show(want)}`)
  }
}

export function throws(fn: () => unknown, expected?: Expected | string, message?: Message): void {
  if (typeof expected === 'string') [message, expected] = [expected, undefined]
  try {
    fn()
  } catch (err) {
    validate(err, expected, message)
    return
  }
  fail_(message, 'Missing expected exception.')
}

export async function rejects(
  promise: Promise<unknown> | (() => Promise<unknown>),
  expected?: Expected | string,
  message?: Message
): Promise<void> {
  if (typeof expected === 'string') [message, expected] = [expected, undefined]
  try {
    await (typeof promise === 'function' ? promise() : promise)
  } catch (err) {
    validate(err, expected, message)
    return
  }
  fail_(message, 'Missing expected rejection.')
}

export const strictEqual = equal
export const notStrictEqual = notEqual
export const deepStrictEqual = deepEqual
export const notDeepStrictEqual = notDeepEqual

const assert = Object.assign((value: unknown, message?: Message) => ok(value, message), {
  AssertionError,
  ok,
  equal,
  notEqual,
  deepEqual,
  notDeepEqual,
  strictEqual,
  notStrictEqual,
  deepStrictEqual,
  notDeepStrictEqual,
  match,
  fail,
  throws,
  rejects
})
export default assert
