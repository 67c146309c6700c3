// The argument checks every AEAD backend shares, so they agree on what they reject.
import { assertBytes } from './bytes.ts'
import { AuthenticationError } from './errors.ts'

export const keyLength = 32
export const nonceLength = 12
export const tagLength = 16

export function checkSealArgs(key: unknown, nonce: unknown, input: unknown, aad: unknown): void {
  assertBytes('key', key, keyLength)
  assertBytes('nonce', nonce, nonceLength)
  assertBytes('plaintext', input)
  if (aad !== undefined) assertBytes('aad', aad)
}

/** The view of `out` the result goes to, checked for room. */
export function outputView(out: Uint8Array | undefined, length: number): Uint8Array | undefined {
  if (out === undefined) return undefined
  assertBytes('out', out)
  if (out.length < length) throw new RangeError(`out must be at least ${length} bytes, got ${out.length}`)
  return out.subarray(0, length)
}

/** Plaintext length of ciphertext || tag; checks the input like checkSealArgs (too short does not authenticate). */
export function checkOpenArgs(key: unknown, nonce: unknown, input: unknown, aad: unknown): number {
  assertBytes('key', key, keyLength)
  assertBytes('nonce', nonce, nonceLength)
  assertBytes('ciphertextWithTag', input)
  if (aad !== undefined) assertBytes('aad', aad)
  if (input.length < tagLength) {
    throw new AuthenticationError(
      `ciphertextWithTag must hold at least the ${tagLength}-byte tag, got ${input.length} bytes`
    )
  }
  return input.length - tagLength
}

export function notAuthentic(): AuthenticationError {
  return new AuthenticationError('ciphertext does not authenticate (wrong key, nonce or aad, or tampered)')
}
