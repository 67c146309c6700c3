// A strict, schema-driven reader over cborg's tokenizer. Before cborg touches an item, the reader
// looks at the item's head (major type and length) and refuses a wrong type or an oversize
// length, so a hostile input never makes the codec allocate more than the cap of the field it
// claims to fill. cborg itself runs in strict mode: minimal integers and lengths, no indefinite
// lengths, no undefined, no integers beyond 2^53.
import { type Token, Tokenizer } from 'cborg'
import {
  DecodeError,
  InvalidValueError,
  OutOfRangeError,
  OversizeError,
  TrailingBytesError,
  UnknownFieldError,
  WrongTypeError
} from './errors.ts'

const strictOptions = {
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowBigInt: false,
  rejectDuplicateMapKeys: true
}

const majorNames = [
  'unsigned integer',
  'negative integer',
  'byte string',
  'text string',
  'array',
  'map',
  'tag',
  'float or simple value'
]
const MAJOR_UINT = 0
const MAJOR_BYTES = 2
const MAJOR_TEXT = 3
const MAJOR_ARRAY = 4
const MAJOR_MAP = 5
const FALSE = 0xf4
const TRUE = 0xf5

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is kept, so the
// decoded string re-encodes to the same bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export class CborReader {
  readonly input: Uint8Array
  readonly #tokens: Tokenizer

  constructor(input: Uint8Array) {
    // A Buffer's slice() is a view; a plain Uint8Array makes cborg copy, so decoded values never
    // alias the caller's buffer.
    this.input = plainBytes(input)
    this.#tokens = new Tokenizer(this.input, strictOptions)
  }

  get offset(): number {
    return this.#tokens.pos()
  }

  uint(path: string, min: number, max: number): number {
    const head = this.#head(path, MAJOR_UINT)
    if (head > Number.MAX_SAFE_INTEGER)
      throw new OutOfRangeError(`${path} must be in ${min}..${max}, got ${head}`)
    const value = this.#next(path).value as number
    if (value < min || value > max)
      throw new OutOfRangeError(`${path} must be in ${min}..${max}, got ${value}`)
    return value
  }

  bytes(path: string, min: number, max: number): Uint8Array {
    const length = this.#head(path, MAJOR_BYTES)
    if (length > max) throw new OversizeError(`${path} must be at most ${max} bytes, got ${length}`)
    if (length < min) throw new InvalidValueError(`${path} must be at least ${min} bytes, got ${length}`)
    return this.#next(path).value as Uint8Array
  }

  text(path: string, maxBytes: number): string {
    const length = this.#head(path, MAJOR_TEXT)
    if (length > maxBytes) throw new OversizeError(`${path} must be at most ${maxBytes} bytes, got ${length}`)
    this.#next(path)
    const end = this.offset
    try {
      return utf8.decode(this.input.subarray(end - length, end))
    } catch {
      throw new InvalidValueError(`${path} is not valid UTF-8`)
    }
  }

  bool(path: string): boolean {
    const byte = this.input[this.offset]
    if (byte !== FALSE && byte !== TRUE) {
      throw new WrongTypeError(`${path} must be a boolean, got ${this.#describe()}`)
    }
    this.#next(path)
    return byte === TRUE
  }

  /** Reads an array head and returns its length, refused before any element is read if over `max`. */
  arrayHead(path: string, min: number, max: number): number {
    const length = this.#head(path, MAJOR_ARRAY)
    if (length > max) throw new OversizeError(`${path} must have at most ${max} entries, got ${length}`)
    if (length < min) throw new InvalidValueError(`${path} must have at least ${min} entries, got ${length}`)
    this.#next(path)
    return length
  }

  /** Reads a map head; a map with more entries than the type has fields has an unknown one. */
  mapHead(path: string, maxEntries: number): number {
    const entries = this.#head(path, MAJOR_MAP)
    if (entries > maxEntries) {
      throw new UnknownFieldError(`${path} has ${entries} fields, the type defines ${maxEntries}`)
    }
    this.#next(path)
    return entries
  }

  /** Map keys are small unsigned integers (0..23, one byte each). */
  key(path: string): number {
    const byte = this.input[this.offset]
    if (byte === undefined)
      throw new DecodeError(`${path}: input ends at byte ${this.offset}, expected a field key`)
    if (byte > 23)
      throw new UnknownFieldError(`${path} has a key that is not a field number: ${this.#describe()}`)
    this.#next(path)
    return byte
  }

  /** The whole input must be one value. */
  end(path: string): void {
    const rest = this.input.length - this.offset
    if (rest !== 0) throw new TrailingBytesError(`${path} is followed by ${rest} trailing bytes`)
  }

  #head(path: string, major: number): number {
    const data = this.input
    const pos = this.offset
    const initial = data[pos]
    if (initial === undefined) {
      throw new DecodeError(`${path}: input ends at byte ${pos}, expected a ${majorNames[major]}`)
    }
    if (initial >> 5 !== major)
      throw new WrongTypeError(`${path} must be a ${majorNames[major]}, got ${this.#describe()}`)
    const info = initial & 31
    if (info < 24) return info
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
    if (size === 0)
      throw new DecodeError(`${path}: indefinite or reserved length 0x${hex(initial)} at byte ${pos}`)
    if (pos + 1 + size > data.length)
      throw new DecodeError(`${path}: input ends inside the head at byte ${pos}`)
    let value = 0
    for (let i = 1; i <= size; i++) value = value * 256 + data[pos + i]!
    return value
  }

  #next(path: string): Token {
    const pos = this.offset
    try {
      return this.#tokens.next()
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^CBOR decode error: /, '') : String(err)
      throw new DecodeError(`${path}: ${reason} at byte ${pos}`)
    }
  }

  #describe(): string {
    const pos = this.offset
    const byte = this.input[pos]
    if (byte === undefined) return `the end of input at byte ${pos}`
    return `a ${majorNames[byte >> 5]} (0x${hex(byte)}) at byte ${pos}`
  }
}

/** `bytes` as a plain Uint8Array (not a subclass such as Node's Buffer), without copying. */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0')
}
