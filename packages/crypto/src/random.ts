import { assertUint } from './bytes.ts'

const maxPerCall = 65536 // getRandomValues refuses more than 64 KiB at once

/** Cryptographically secure random bytes (WebCrypto `getRandomValues`, present on every runtime). */
export function randomBytes(n: number): Uint8Array {
  assertUint('n', n, 2 ** 31 - 1)
  const out = new Uint8Array(n)
  for (let offset = 0; offset < n; offset += maxPerCall) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(n, offset + maxPerCall)))
  }
  return out
}
