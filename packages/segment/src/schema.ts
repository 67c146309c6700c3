// The one schema helper every type is built from. A Schema reads its value from a CborReader
// (strict, capped, field by field) and checks a value before it is encoded, so an encoder never
// produces bytes its decoder would refuse. This file has the leaves; struct.ts the records.
import { EncodeError, InvalidValueError } from './errors.ts'
import type { CborReader } from './reader.ts'

export interface Schema<T> {
  read(r: CborReader, path: string): T
  /** Throws EncodeError naming `path` if `value` is not valid; returns what cborg encodes. */
  write(value: T, path: string): unknown
}

export function uint(min = 0, max = Number.MAX_SAFE_INTEGER): Schema<number> {
  return {
    read: (r, path) => r.uint(path, min, max),
    write(value, path) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
        throw new EncodeError(`${path} must be an integer in ${min}..${max}, got ${show(value)}`)
      }
      return value
    }
  }
}

/** A byte string of `min..max` bytes (exactly `min` when `max` is left out). */
export function bytes(min: number, max = min): Schema<Uint8Array> {
  return {
    read: (r, path) => r.bytes(path, min, max),
    write(value, path) {
      if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
        const want = min === max ? `${min}` : `${min}..${max}`
        throw new EncodeError(`${path} must be a Uint8Array of ${want} bytes, got ${show(value)}`)
      }
      return value
    }
  }
}

const utf8 = new TextEncoder()

/** A well-formed UTF-8 string of at most `maxBytes` bytes. */
export function text(maxBytes: number): Schema<string> {
  return {
    read: (r, path) => r.text(path, maxBytes),
    write(value, path) {
      if (typeof value !== 'string' || /\p{Cs}/u.test(value) || utf8.encode(value).length > maxBytes) {
        throw new EncodeError(
          `${path} must be a well-formed string of at most ${maxBytes} UTF-8 bytes, got ${show(value)}`
        )
      }
      return value
    }
  }
}

/** `schema` with one more rule: `rule` returns what is wrong with a value (named after the path), or undefined. */
export function refine<T>(schema: Schema<T>, rule: (value: T) => string | undefined): Schema<T> {
  return {
    read(r, path) {
      const value = schema.read(r, path)
      const problem = rule(value)
      if (problem !== undefined) throw new InvalidValueError(`${path} ${problem}, got ${show(value)}`)
      return value
    },
    write(value, path) {
      const out = schema.write(value, path)
      const problem = rule(value)
      if (problem !== undefined) throw new EncodeError(`${path} ${problem}, got ${show(value)}`)
      return out
    }
  }
}

/** One of a fixed set of words (modes, algorithms, kinds). */
export function oneOf<const T extends string>(words: readonly T[]): Schema<T> {
  const longest = Math.max(...words.map((w) => utf8.encode(w).length))
  const is = (v: unknown): v is T => (words as readonly unknown[]).includes(v)
  const want = words.join(', ')
  return {
    read(r, path) {
      const value = r.text(path, longest)
      if (!is(value)) throw new InvalidValueError(`${path} must be one of ${want}, got ${show(value)}`)
      return value
    },
    write(value, path) {
      if (!is(value)) throw new EncodeError(`${path} must be one of ${want}, got ${show(value)}`)
      return value
    }
  }
}

export const bool: Schema<boolean> = {
  read: (r, path) => r.bool(path),
  write(value, path) {
    if (typeof value !== 'boolean') throw new EncodeError(`${path} must be a boolean, got ${show(value)}`)
    return value
  }
}

export function list<T>(item: Schema<T>, min: number, max: number): Schema<T[]> {
  return {
    read(r, path) {
      const length = r.arrayHead(path, min, max)
      const out = new Array<T>(length)
      for (let i = 0; i < length; i++) out[i] = item.read(r, `${path}[${i}]`)
      return out
    },
    write(value, path) {
      if (!Array.isArray(value) || value.length < min || value.length > max) {
        throw new EncodeError(`${path} must be an array of ${min}..${max} entries, got ${show(value)}`)
      }
      // A loop, not map(): a hole in a sparse array must fail as a missing entry, not vanish.
      const out = new Array<unknown>(value.length)
      for (let i = 0; i < value.length; i++) out[i] = item.write(value[i] as T, `${path}[${i}]`)
      return out
    }
  }
}

/** A map field: its key (1..23), its name in the TypeScript value, its schema. */

export function show(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value)
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}
