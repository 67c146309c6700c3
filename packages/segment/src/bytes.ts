// The few byte helpers the codec needs (the generic ones come from @defs/crypto).
export { concatBytes, toHex } from '@defs/crypto'

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const ascii = new TextEncoder()

/** The domain separation prefix of a signed or hashed type: `defs:<name>:v<version>\0`. */
export function domainOf(name: string, version: number): Uint8Array {
  return ascii.encode(`defs:${name}:v${version}\0`)
}

/** Byte-wise order (shorter first on a common prefix): negative, 0 or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}
