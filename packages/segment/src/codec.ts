// Whole-value decode and encode on top of a schema: the input cap first, exactly one value, and
// nothing but a DecodeError out of a decoder.
import { encode } from 'cborg'
import { DecodeError, EncodeError, OversizeError, WrongTypeError } from './errors.ts'
import { CborReader, plainBytes } from './reader.ts'
import { type Schema, show } from './schema.ts'

/** Decodes `input` as exactly one value of `schema`; throws only DecodeError (or a subclass). */
export function decodeWith<T>(schema: Schema<T>, input: Uint8Array, maxBytes: number, path: string): T {
  return run(schema, input, maxBytes, path, true).value
}

/** Decodes one value at the start of `input` (looking at no more than `maxBytes`) and says where it ends. */
export function decodePrefixWith<T>(
  schema: Schema<T>,
  input: Uint8Array,
  maxBytes: number,
  path: string
): { value: T; length: number } {
  return run(schema, input, maxBytes, path, false)
}

function run<T>(
  schema: Schema<T>,
  input: Uint8Array,
  maxBytes: number,
  path: string,
  whole: boolean
): { value: T; length: number } {
  if (!(input instanceof Uint8Array))
    throw new WrongTypeError(`${path} input must be a Uint8Array, got ${show(input)}`)
  if (whole && input.length > maxBytes) {
    throw new OversizeError(`${path} must be at most ${maxBytes} bytes, got ${input.length}`)
  }
  try {
    const r = new CborReader(whole ? input : input.subarray(0, maxBytes))
    const value = schema.read(r, path)
    if (whole) r.end(path)
    return { value, length: r.offset }
  } catch (err) {
    if (err instanceof DecodeError) throw err
    // Defence in depth: whatever slipped past the schema still leaves as a DecodeError.
    throw new DecodeError(`${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Canonical CBOR of `value`, after checking it field by field and against the type's byte cap. */
export function encodeWith<T>(schema: Schema<T>, value: T, maxBytes: number, path: string): Uint8Array {
  const out = plainBytes(encode(schema.write(value, path)))
  if (out.length > maxBytes)
    throw new EncodeError(`${path} encodes to ${out.length} bytes, over its cap of ${maxBytes}`)
  return out
}

/** A short, safe description of a value for error messages. */
