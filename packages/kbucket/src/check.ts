// Boundary checks shared by the table and the scorer: each names the argument and the value.
import { InvalidArgumentError } from './errors.ts'

/** An integer >= `min`, or `Infinity` when `allowInfinity` (a limit that is off). */
export function checkCount(name: string, value: number, min: number, allowInfinity = false): number {
  const ok = Number.isInteger(value) || (allowInfinity && value === Number.POSITIVE_INFINITY)
  if (!ok || value < min) {
    const range = allowInfinity ? `an integer >= ${min} or Infinity` : `an integer >= ${min}`
    throw new InvalidArgumentError(`${name} must be ${range}, got ${String(value)}`)
  }
  return value
}

/** A finite number >= 0 (or > 0 when `positive`). */
export function checkAmount(name: string, value: number, positive = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new InvalidArgumentError(
      `${name} must be a finite number ${positive ? '> 0' : '>= 0'}, got ${String(value)}`
    )
  }
  return value
}

/** One of the listed strings. */
export function checkChoice<T extends string>(name: string, value: T, choices: readonly T[]): T {
  if (!choices.includes(value)) {
    throw new InvalidArgumentError(`${name} must be one of ${choices.join(', ')}, got ${String(value)}`)
  }
  return value
}
